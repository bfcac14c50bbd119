"""Core of zhsearch: Chinese analysis, the index schema, query parsing, ranking, highlighting.

Every Whoosh call in the project lives in this package.
"""
