//! The `syncer` binary.

use std::process::ExitCode;

use clap::Parser as _;
use syncer_cli::cli::Cli;
use syncer_cli::exit;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    let _log = (cli.verbose || std::env::var_os("RUST_LOG").is_some())
        .then(|| {
            let dir = std::env::temp_dir().join("syncer-cli-logs");
            syncer_logging::init(&dir, syncer_logging::LogName("syncer")).ok()
        })
        .flatten();
    // One thread does: the work is waiting on the network and SQLite (which has its own
    // threads), and a single thread keeps one allocator arena, so memory stays low.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    match runtime.block_on(syncer_cli::commands::run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let code = exit::code_of(&e);
            let message = exit::message_of(&e);
            if json {
                let value = serde_json::json!({"error": message, "exit_code": code});
                println!("{value}");
            } else {
                eprintln!("error: {message}");
            }
            ExitCode::from(code)
        }
    }
}
