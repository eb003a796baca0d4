"""Files that may hold secrets (the database, the config file with its URL or token) stay private.

New ones are created for their owner only (files 0600, directories 0700; see
`tui.store.sql.create_private_file`); an existing one that others may read is reported, once,
at start.
"""

from __future__ import annotations

import stat
from pathlib import Path

OTHERS = stat.S_IROTH | stat.S_IWOTH
"""Everyone on the machine; a SQLite file a team shares on a jump host is meant for its group."""
GROUP_AND_OTHERS = stat.S_IRWXG | stat.S_IRWXO
"""For a file only its owner should ever read: the config holds their database password or token."""


def exposure(path: Path, what: str, mask: int) -> str | None:
    """A one-sentence warning if `path` is open to the users `mask` names; None if it is not,
    or does not exist (yet)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if not mode & mask:
        return None
    who = "other users of this machine" if mask == OTHERS else "users other than you"
    return (f"warning: {what} {path} can be read or changed by {who} (mode {stat.S_IMODE(mode):04o}); "
            f"to keep it private: chmod {0o777 & ~mask & stat.S_IMODE(mode):o} {path}")
