"""The smallest Django project that runs wagtail-lms for the real-LMS tests: SQLite and media under
``ELEARN_WAGTAIL_DIR``, served by ``manage.py runserver 127.0.0.1:PORT --noreload``."""
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ["ELEARN_WAGTAIL_DIR"])

SECRET_KEY = "elearn-tests-only-" + DATA.name
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "urls"
WSGI_APPLICATION = None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

INSTALLED_APPS = [
    "wagtail_lms",
    "wagtail.users", "wagtail.snippets", "wagtail.documents", "wagtail.images", "wagtail.search",
    "wagtail.admin", "wagtail", "modelcluster", "taggit",
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions", "django.contrib.messages",
    "django.contrib.staticfiles",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [HERE / "templates"],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request", "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages"]},
}]
# As an administrator running Django on SQLite should (Django 5.1+ "database is locked" advice): writes take
# the lock when their transaction begins and wait for it. With the default (deferred) transactions,
# wagtail-lms's concurrent SetValue requests fail with 500 "database is locked" and their values are lost.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA / "db.sqlite3",
                         "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20}}}
MEDIA_ROOT = DATA / "media"
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
WAGTAIL_SITE_NAME = "elearn tests"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1"
LOGIN_URL = "/accounts/login/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test users only: fast logins
LOGGING = {  # server errors (with their traceback) into the server log the test keeps
    "version": 1, "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"},
                "wagtail_lms": {"handlers": ["console"], "level": "WARNING"}},
}
