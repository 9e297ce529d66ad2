"""nbgrader settings shared by every cadrelab workshop.

`cadrelab workshop init DIR` copies this file to DIR/nbgrader_config.py and adds the
course id and exchange folder below it, so `nbgrader formgrader` run in DIR sees
the same settings as the `cadrelab workshop` commands.
"""

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

# What trainees see where a solution was: Vietnamese stubs.
c.ClearSolutions.code_stub = {
    "python": "# VIẾT CODE CỦA ANH/CHỊ Ở ĐÂY\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "VIẾT CÂU TRẢ LỜI CỦA ANH/CHỊ Ở ĐÂY"

# Submissions: no huge files in the exchange.  Exchange timestamps stay in UTC (nbgrader's
# default): a zone without a letter abbreviation, such as Asia/Ho_Chi_Minh, writes "+07" into
# submission folder names, which nbgrader's collect splits on "+" and misreads.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".cadrelab"]
c.CourseDirectory.max_file_size = 5000  # kilobytes
c.CourseDirectory.max_dir_size = 20000  # kilobytes

# If a trainer runs nbgrader's own autograde or feedback from the formgrader:
# restore deleted test cells, stop runaway cells, and never show hidden tests.
c.OverwriteCells.add_missing_cells = True
c.Execute.timeout = 30
c.LimitOutput.max_lines = 200
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]

# Collecting never follows a symbolic link planted in the exchange's inbound folder.
c.ExchangeFactory.collect = "cadrelab.grading.exchange.LinkSafeCollect"
