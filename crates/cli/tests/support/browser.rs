//! The browser's part of `syncer connect spotify --no-browser`: the link the command prints is
//! followed through the stand-in's consent to the command's loopback listener.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

/// Starts `command` (a `connect … --no-browser`), follows the link it prints, and returns the
/// page the browser ended on (status and text) with the finished command's output, whose
/// stderr is everything the command printed.
pub async fn play_browser(command: &mut Command) -> (u16, String, Output) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    // The reader hands over the link as soon as it is printed and keeps the rest of stderr.
    let (link_tx, link_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut seen = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            if let Some(url) = line.trim().strip_prefix("http") {
                let _ = link_tx.send(format!("http{url}"));
            }
            seen.push_str(&line);
            seen.push('\n');
        }
        seen
    });
    let link = tokio::task::spawn_blocking(move || link_rx.recv())
        .await
        .unwrap()
        .expect("a sign-in link is printed");
    let page = reqwest::get(&link).await.unwrap();
    let status = page.status().as_u16();
    let text = page.text().await.unwrap_or_default();
    let mut out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    out.stderr = reader.join().unwrap().into_bytes();
    (status, text, out)
}
