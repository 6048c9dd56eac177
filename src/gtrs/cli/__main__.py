"""`python -m gtrs.cli`."""
from gtrs.cli import main

main()
