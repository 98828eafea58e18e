//! Build-time chores for the packages (`cargo run -p xtask -- help`).
//!
//! `cli-assets DIR` writes what the `syncer` command's package carries besides the binary, all
//! generated from the same clap definition the binary parses, so they cannot drift from it:
//!
//! - `DIR/completions/syncer.bash`, `DIR/completions/_syncer` (zsh), `DIR/completions/syncer.fish`
//! - `DIR/man/man1/syncer.1.gz`, and one page per visible subcommand (`syncer-demo.1.gz`,
//!   `syncer-child-add.1.gz`, …), gzipped as Debian installs man pages.
//!
//! The packaging step (scripts/stage-bundle-assets.sh) maps these into `/usr/share/...`.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use clap::CommandFactory as _;
use clap_complete::Shell;
use flate2::Compression;
use flate2::write::GzEncoder;

const USAGE: &str = "usage: cargo run -p xtask -- cli-assets DIR\n\n\
    cli-assets DIR   write the syncer command's shell completions (bash, zsh, fish) and man\n\
    \x20                pages (section 1, gzipped) under DIR/completions and DIR/man/man1";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [task, dir] if task == "cli-assets" => {
            let written = cli_assets(Path::new(dir))?;
            println!("xtask: wrote {} files under {dir}", written.len());
            Ok(())
        }
        [help] if help == "help" || help == "--help" || help == "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        _ => bail!("{USAGE}"),
    }
}

/// Writes the completions and man pages under `dir`; returns the files written.
fn cli_assets(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let completions = dir.join("completions");
    let man = dir.join("man").join("man1");
    for sub in [&completions, &man] {
        // A stale page of a removed subcommand must not be packaged.
        if sub.exists() {
            fs::remove_dir_all(sub).with_context(|| format!("cannot clear {}", sub.display()))?;
        }
        fs::create_dir_all(sub).with_context(|| format!("cannot create {}", sub.display()))?;
    }

    for (shell, file) in [
        (Shell::Bash, "syncer.bash"),
        (Shell::Zsh, "_syncer"),
        (Shell::Fish, "syncer.fish"),
    ] {
        let mut out = Vec::new();
        clap_complete::generate(
            shell,
            &mut syncer_cli::cli::Cli::command(),
            "syncer",
            &mut out,
        );
        let path = completions.join(file);
        fs::write(&path, out).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }

    // Built, every subcommand knows its full name (`syncer-child-add`), which names its page.
    let mut root = syncer_cli::cli::Cli::command().disable_help_subcommand(true);
    root.build();
    let source = format!("syncer {}", root.get_version().unwrap_or_default());
    man_pages(&root, &source, &man, &mut written)?;
    Ok(written)
}

/// One page for `cmd`, then one per visible subcommand, recursively.
/// `source` (the footer's "syncer 0.1.0") is the root's: subcommands have no version.
fn man_pages(
    cmd: &clap::Command,
    source: &str,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> Result<()> {
    let page = clap_mangen::Man::new(cmd.clone())
        .manual("Syncer")
        .source(source);
    let name = page.get_filename();
    let mut roff = Vec::new();
    page.render(&mut roff)
        .with_context(|| format!("cannot render the man page {name}"))?;
    let path = dir.join(format!("{name}.gz"));
    let file =
        fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut gz = GzEncoder::new(file, Compression::best());
    gz.write_all(&roff)
        .and_then(|()| gz.finish().map(drop))
        .with_context(|| format!("cannot write {}", path.display()))?;
    written.push(path);

    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        man_pages(sub, source, dir, written)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_completions_for_three_shells_and_a_page_per_visible_command() {
        let dir = tempfile::tempdir().unwrap();
        let written = cli_assets(dir.path()).unwrap();
        for file in ["syncer.bash", "_syncer", "syncer.fish"] {
            let text = fs::read_to_string(dir.path().join("completions").join(file)).unwrap();
            assert!(
                text.contains("demo"),
                "{file} completes the demo subcommand"
            );
        }
        let man = dir.path().join("man/man1");
        for page in ["syncer.1.gz", "syncer-demo.1.gz", "syncer-child-add.1.gz"] {
            assert!(man.join(page).is_file(), "{page} is written");
        }
        // Hidden commands stay out of the manual, as they stay out of --help.
        assert!(!man.join("syncer-bench.1.gz").exists());
        assert!(written.len() > 10);
    }

    #[test]
    fn a_second_run_leaves_no_stale_pages() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join("man/man1/syncer-gone.1.gz");
        fs::create_dir_all(stale.parent().unwrap()).unwrap();
        fs::write(&stale, b"old").unwrap();
        cli_assets(dir.path()).unwrap();
        assert!(!stale.exists());
    }
}
