"""The demo site ships in the wheel as naerpoliti/demo/, for `naerpoliti init --demo`: it is the
repository root's localities.yaml and content/, which no package folder holds. Everything else
about the package is in pyproject.toml."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithDemo(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install finds the demo in the checkout itself
        target = Path(self.build_lib) / "naerpoliti" / "demo"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        shutil.copy2(HERE / "localities.yaml", target / "localities.yaml")
        shutil.copytree(HERE / "content", target / "content",
                        ignore=shutil.ignore_patterns(".*", "__pycache__"))


setup(cmdclass={"build_py": BuildPyWithDemo})
