"""Partner submissions: parsing, validation and storage."""
