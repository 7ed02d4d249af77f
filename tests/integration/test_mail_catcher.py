"""`make run`'s mail catcher: real SMTP in, the inbox page out, links clickable."""

import smtplib
import urllib.request
from email.message import EmailMessage

from mpanel.embedded.mailcatcher import MailCatcher, start_for


def test_catcher_receives_mail_and_shows_it_with_links():
    catcher = MailCatcher().start()
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "mpanel@localhost", "new@example.com", "Confirm <it>"
        message.set_content("Open http://acme.localhost:5000/signup/verify/abc to confirm.")
        with smtplib.SMTP("127.0.0.1", catcher.smtp_port, timeout=10) as smtp:
            smtp.send_message(message)
        inbox = urllib.request.urlopen(catcher.url, timeout=10).read().decode()
        assert "new@example.com" in inbox and "Confirm &lt;it&gt;" in inbox and 'href="/0"' in inbox
        shown = urllib.request.urlopen(catcher.url + "0", timeout=10).read().decode()
        assert '<a href="http://acme.localhost:5000/signup/verify/abc">' in shown
    finally:
        catcher.stop()


def test_configured_smtp_is_left_alone():
    env = {"MPANEL_SMTP_HOST": "mail.example.com"}
    assert start_for(env) is None and env == {"MPANEL_SMTP_HOST": "mail.example.com"}
    env = {}
    catcher = start_for(env)
    try:
        assert env["MPANEL_SMTP_PORT"] == str(catcher.smtp_port) and env["MPANEL_MAIL_CATCHER_URL"] == catcher.url
    finally:
        catcher.stop()
