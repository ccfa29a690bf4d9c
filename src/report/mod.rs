//! Charts and report (issue 4): filled in by its author.
