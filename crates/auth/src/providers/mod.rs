//! One module per provider. Adding one: a module returning its [`crate::Provider`], and a line
//! in [`crate::Registry::builtin`].

pub mod spotify;
