import os

from hypothesis import settings

# `HYPOTHESIS_PROFILE=thorough make test` searches much harder than the default CI profile.
settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("thorough", deadline=None, max_examples=3000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
