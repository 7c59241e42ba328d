"""The case generator: systematic cases written to cases/gen-*/.

`oracle` is the generator's own reading of the spec (it never looks at
model/), `pairwise` picks crossings, `toml_out` writes case files, and the
`family_*` modules build the families the corpus needs. The command is
tools/gen_cases.py.
"""
