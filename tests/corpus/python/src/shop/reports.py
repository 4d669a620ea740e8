"""Reports."""
from .accounts import USERS


def _nickname_key(user):
    # @1.0.1 # Case-insensitive ordering.
    # BUG py-leaderboard-sort-none: users without a nickname break the sort key.
    return user.nickname.lower()


def leaderboard(user_ids=None):
    users = USERS.all() if user_ids is None else [USERS.get(i) for i in user_ids]
    return sorted(users, key=_nickname_key)
