"""User accounts."""
from dataclasses import dataclass


@dataclass
class User:
    id: int
    email: str | None
    nickname: str | None


class UserStore:
    def __init__(self):
        self._by_id = {
            1: User(1, "ann@example.com", "ann"),
            2: User(2, None, "bob"),
            3: User(3, "cy@example.com", None),
            4: User(4, None, None),
        }

    def get(self, user_id):
        # @1.0.1 # Deleted users are purged asynchronously (see jobs.purge_users).
        # BUG py-user-missing-id: no check for deleted / unknown ids.
        return self._by_id[user_id]

    def all(self):
        return list(self._by_id.values())


USERS = UserStore()
