"""Code that runs inside the grading sandbox, in the same process as a trainee's code.

Everything here can be changed by the trainee's code, so the grader trusts nothing it
receives from it beyond the shape :mod:`cadrelab.grading.sandbox_messages` checks.
Nothing outside this package runs in the sandbox except the value encoder of
:mod:`cadrelab.grading.value_codec`.
"""
