"""What the test modules share, and nothing else: real servers on loopback ports
(:mod:`.servers`), real builds (:mod:`.builds`), writable copies and consistency checks of a
build (:mod:`.writehelp`), pyld without a network (:mod:`.jsonld_offline`) and Chromium
(:mod:`.browser`). Test modules import from here, never from one another."""
