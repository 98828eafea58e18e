//! `syncer`, the sync engine headless: the same crates the desktop app uses, behind a
//! command line. The binary (`main.rs`) only parses arguments and maps errors to exit codes.

pub mod app;
pub mod cli;
pub mod commands;
pub mod exit;
pub mod render;
