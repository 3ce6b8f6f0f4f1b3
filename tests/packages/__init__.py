"""Small data packages for the import tests, built in tmp_path (`build.py`)."""
