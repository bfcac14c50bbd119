"""Reading article files (JSON Lines, HTML, plain text) and writing them into the index."""
