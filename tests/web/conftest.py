import pytest

from web import create_app


@pytest.fixture(scope="module", params=["whoosh", "xapian"])
def client(request):
    """A test client of the app over the bundled corpus: in the Whoosh index, and in three
    Xapian shards (every test that takes it runs on both backends)."""
    if request.param == "whoosh":
        return create_app(request.getfixturevalue("demo_index")).test_client()
    home, shards = request.getfixturevalue("demo_shards")
    return create_app(home, {"BACKEND": "xapian", "SHARDS": shards}).test_client()
