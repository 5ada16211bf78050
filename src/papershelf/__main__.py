from papershelf.cli import run

run()
