"""What a trainee finds in their home on a workshop hub (one server or Kubernetes alike)."""

CASES_FOLDER = "cadrelab-cases"  # their own cases; CADRELAB_CASES_DIR points here
CASES_ENV = "CADRELAB_CASES_DIR"
COURSES_FOLDER = "khoa-hoc"  # their copy of the courses, trainee version
COURSE_INDEX_URL = f"/lab/tree/{COURSES_FOLDER}/README.md"
