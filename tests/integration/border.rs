//! Integration tests: border.
