"""Set up the wagtail-lms site for one test run, as its administrator would, and print what was made as JSON.

Usage (the Python of .venv-wagtail-lms): ``setup_course.py LEARNER PASSWORD ZIP...``. Migrates the SQLite
database, makes an administrator and a learner, uploads each zip through wagtail-lms's own upload path
(the ``SCORMPackage`` model the admin form saves: it unpacks the zip and reads the manifest), puts a
``CoursePage`` with one ``SCORMLessonPage`` per package under the site's home page, and leaves
enrolment to the learner (``/lms/course/<id>/enroll/``).
"""
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files import File  # noqa: E402
from django.core.management import call_command  # noqa: E402
from wagtail.models import Page  # noqa: E402
from wagtail_lms.models import CoursePage, SCORMLessonPage, SCORMPackage  # noqa: E402


def main(learner: str, password: str, zips: list[str]) -> dict:
    call_command("migrate", verbosity=0, interactive=False)
    users = get_user_model()
    users.objects.create_superuser("admin", "admin@example.org", password)
    users.objects.create_user(learner, f"{learner}@example.org", password, first_name="Ada", last_name="Okafor")
    home = Page.objects.get(depth=2)
    course = home.add_child(instance=CoursePage(title="Reflective supervision", slug="reflective-supervision"))
    made = {"course": course.id, "packages": {}}
    for path in map(Path, zips):
        with path.open("rb") as handle:
            package = SCORMPackage(title=path.stem)
            package.package_file.save(path.name, File(handle), save=True)
        package.refresh_from_db()
        lesson = course.add_child(instance=SCORMLessonPage(title=path.stem, slug=path.stem, scorm_package=package))
        made["packages"][path.stem] = {"package": package.id, "lesson": lesson.id, "version": package.version,
                                       "launch_url": package.launch_url}
    return made


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], sys.argv[3:])))
