#!/usr/bin/env python3
"""Writes the package.json / tsconfig / tsdown config of a new workspace package.
usage: scaffold-package.py FOLDER NPM_NAME "DESCRIPTION" SUBPATH... [--dep NAME]... [--peer-grpc-js optional|required]"""
import json, os, sys

args = sys.argv[1:]
folder, name, description = args[0], args[1], args[2]
subpaths, deps, peer = [], [], None
i = 3
while i < len(args):
    if args[i] == '--dep': deps.append(args[i + 1]); i += 2
    elif args[i] == '--peer-grpc-js': peer = args[i + 1]; i += 2
    else: subpaths.append(args[i]); i += 1
base = f'packages/{folder}'
os.makedirs(f'{base}/src', exist_ok=True)
exports = {}
entries = {}
for sub in ['index', *subpaths]:
    key = '.' if sub == 'index' else f'./{sub}'
    exports[key] = {
        'import': {'types': f'./dist/{sub}.d.mts', 'default': f'./dist/{sub}.mjs'},
        'require': {'types': f'./dist/{sub}.d.cts', 'default': f'./dist/{sub}.cjs'},
    }
    entries[sub] = f'src/{sub}.ts'
exports['./package.json'] = './package.json'
pkg = {
    'name': name, 'version': '0.1.0', 'description': description, 'license': 'Apache-2.0',
    'type': 'module', 'sideEffects': False, 'files': ['dist'], 'engines': {'node': '>=20'},
    'main': './dist/index.cjs', 'module': './dist/index.mjs', 'types': './dist/index.d.cts',
    'exports': exports,
    'scripts': {'build': 'tsdown', 'typecheck': 'tsc -p tsconfig.json'},
}
if deps: pkg['dependencies'] = {d: 'workspace:*' for d in deps}
if peer:
    pkg['peerDependencies'] = {'@grpc/grpc-js': '^1.10.0'}
    if peer == 'optional': pkg['peerDependenciesMeta'] = {'@grpc/grpc-js': {'optional': True}}
    pkg['devDependencies'] = {'@grpc/grpc-js': '1.14.7'}
pkg['publishConfig'] = {'access': 'public'}
with open(f'{base}/package.json', 'w') as f: json.dump(pkg, f, indent=2); f.write('\n')
with open(f'{base}/tsconfig.json', 'w') as f:
    json.dump({'extends': '../../tsconfig.base.json', 'include': ['src', 'test', 'tsdown.config.ts']}, f, indent=2); f.write('\n')
def quote(key): return f"'{key}'" if '-' in key else key
entry_src = ', '.join(f"{quote(k)}: '{v}'" for k, v in entries.items())
with open(f'{base}/tsdown.config.ts', 'w') as f:
    f.write("import { defineConfig } from 'tsdown';\nimport { packageBuild } from '../../tsdown.shared.ts';\n\n")
    f.write(f"export default defineConfig(packageBuild({{ {entry_src} }}));\n")
