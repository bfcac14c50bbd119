import pytest

from web import create_app


@pytest.fixture(scope="module")
def client(demo_index):
    return create_app(demo_index).test_client()
