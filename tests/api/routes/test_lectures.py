"""The saved-scene and lecture routes' documentation: one decorator gives every handler the
same error answers and its own success entry (``api.routes.lectures._route``)."""

from __future__ import annotations

import pytest

# (method, path) -> (success status, the schema its success answer documents, or None)
ROUTES = {
    ("post", "/api/saved-scenes"): (201, "SavedSceneCreated"),
    ("get", "/api/saved-scenes/{scene_id}"): (200, "SavedScene"),
    ("put", "/api/saved-scenes/{scene_id}"): (200, "SavedScene"),
    ("delete", "/api/saved-scenes/{scene_id}"): (204, None),
    ("post", "/api/lectures"): (201, "LectureCreated"),
    ("post", "/api/lectures/import"): (201, "LectureCreated"),
    ("get", "/api/lectures/{lecture_id}"): (200, "Lecture"),
    ("put", "/api/lectures/{lecture_id}"): (200, "Lecture"),
    ("delete", "/api/lectures/{lecture_id}"): (204, None),
    ("get", "/api/lectures/{lecture_id}/export"): (200, "LectureDocument"),
}


@pytest.fixture(scope="module")
def paths(app):
    return app.openapi()["paths"]


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_each_route_documents_its_success_and_the_stores_errors(paths, method, path):
    status, schema = ROUTES[(method, path)]
    responses = paths[path][method]["responses"]
    # The store's refusals: a wrong token or built-in scene, no such id, a bad field,
    # too many requests, a full store.
    assert {"403", "404", "422", "429", "507"} <= set(responses)
    assert str(status) in responses
    content = responses[str(status)].get("content")
    if schema is None:
        assert content is None  # 204: no body
    else:
        ref = content["application/json"]["schema"]["$ref"]
        assert ref == f"#/components/schemas/{schema}"
    assert not {"200", "201", "204"} - {str(status)} & set(responses)  # no stray success
