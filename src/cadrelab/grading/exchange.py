"""nbgrader's exchange collect, without following symbolic links.

nbgrader copies each submission out of the world-writable ``inbound/`` folder with
``shutil.copytree``, which follows symbolic links: a link planted there (to the
gradebook, to another trainee's work) would be copied as the file it points to,
with the trainer's rights, into ``submitted/``.  This plugin copies links as links;
grading then skips them.  Set as ``ExchangeFactory.collect`` in the shared config.
"""

from __future__ import annotations

import shutil

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import ignore_patterns


class LinkSafeCollect(ExchangeCollect):
    def do_copy(self, src: str, dest: str, log: object = None) -> None:
        size = self.get_size(src)
        if size > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"Directory size is too big: {size} bytes")
        shutil.copytree(
            src,
            dest,
            symlinks=True,
            ignore=ignore_patterns(
                exclude=self.coursedir.ignore,
                include=self.coursedir.include,
                max_file_size=self.coursedir.max_file_size,
                log=self.log,
            ),
        )
