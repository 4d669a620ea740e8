"""E-mail notifications."""


def normalize_email(user):
    # @1.0.1 # Addresses are compared case-insensitively.
    # BUG py-email-none: users who signed up by phone have no e-mail.
    return user.email.lower()


def send_mail(user, subject):
    address = normalize_email(user)
    return f"to={address} subject={subject}"
