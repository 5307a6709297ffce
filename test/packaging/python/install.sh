# In the BitBroker clone: dist/bitbroker-0.1.0-py3-none-any.whl and dist/bitbroker-0.1.0.tar.gz
# (python -m build, run by the clone's .venv: `pip install "./sdk/python[test]"` there first)
(cd "$BITBROKER" && bun run pack python)
# In your project's folder: a virtual environment with the wheel (the sdist installs the same way)
python3 -m venv .venv
.venv/bin/pip install "$BITBROKER/dist/bitbroker-0.1.0-py3-none-any.whl"
