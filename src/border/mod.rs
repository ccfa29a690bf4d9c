//! The border model (issue 3): filled in by its author.
