"""Building the package compiles its translation catalogues (.po -> .mo, which git
ignores) first, so wheels and the Docker image carry them (see setup.cfg [compile_catalog])."""

from babel.messages.setuptools_frontend import compile_catalog
from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    def run(self):
        self.run_command("compile_catalog")
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogues, "compile_catalog": compile_catalog})
