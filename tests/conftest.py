import sys
from pathlib import Path

# tests/ holds helper modules and importable handler modules for dotted-path tests.
sys.path.insert(0, str(Path(__file__).parent))
