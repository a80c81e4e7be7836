"""Inside a pilot's folder: the boundary the review and drift judge a task's code by."""
from __future__ import annotations

import pytest

from pilotfactory.tfjson.workspace_paths import inside, pilot_folder_of, wsfs_path

FOLDER = pilot_folder_of("p", "prod")


@pytest.mark.parametrize("path, expected", [
    (f"{FOLDER}/x.py", True), (f"/Workspace{FOLDER}/x.py", True), (FOLDER, False), (f"{FOLDER}x/y.py", False),
    (f"{FOLDER}/../x.py", False), ("relative/x.py", False), (f"/Workspacex{FOLDER}/x.py", False),
])
def test_inside_the_folder_boundaries(path, expected):
    assert inside(path, FOLDER) is expected


def test_a_workspace_file_path_is_wsfs_prefixed():
    """provider v1.99.0 docs/resources/workspace_file.md:54: workspace_path is `/Workspace` + path."""
    assert wsfs_path(f"{FOLDER}/x.py") == f"/Workspace{FOLDER}/x.py" and inside(wsfs_path(f"{FOLDER}/x.py"), FOLDER)
