"""Items: an example feature with full CRUD, to copy when adding your own."""
