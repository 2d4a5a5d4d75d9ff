#!/bin/sh
# SPDX-License-Identifier: MIT
# check-layers.sh LAYERS KNOWN OBJECT...
#
# Fails when a module calls into a layer above its own, or when two modules
# call each other. "Calls" are read off the objects with nm: module A calls
# module B when A's object leaves a symbol undefined that B's object
# defines. A module's layer is the folder its object is in
# (build/obj/<layer>/<module>.o, mirroring server/<layer>/<module>.c).
# LAYERS names the layers top to bottom, one per line ("layer: what it
# owns"); a folder it does not name fails. KNOWN
# lists violations that exist and are being removed, one per line exactly
# as this script prints them; they are reported but do not fail, and a
# KNOWN line that no longer happens fails (take it out). Prints nothing
# but a summary when all is well; exits 1 otherwise.
set -eu

layers=$1; known=$2; shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for o in "$@"; do
	m=$(basename "$o" .o)
	echo "$m $(basename "$(dirname "$o")")" >> "$tmp/placed"
	nm -g --defined-only "$o" | awk -v m="$m" 'NF == 3 { print $3, m }' >> "$tmp/defs"
	nm -u "$o" | awk -v m="$m" '{ print $NF, m }' >> "$tmp/uses"
done
sort -u "$tmp/defs" -o "$tmp/defs"
sort -u "$tmp/uses" -o "$tmp/uses"
# "caller callee" for every call between two modules.
join "$tmp/uses" "$tmp/defs" | awk '$2 != $3 { print $2, $3 }' | sort -u > "$tmp/edges"
sort -u "$tmp/placed" > "$tmp/modules"
sed 's/#.*//' "$known" | grep -v '^[[:space:]]*$' | sort -u > "$tmp/known" || true

awk -v known="$tmp/known" '
	FILENAME == ARGV[1] {           # LAYERS: rank 0 is the top layer
		sub(/#.*/, "")
		if (!NF) next
		name = $1; sub(/:$/, "", name)
		lrank[name] = n++
		next
	}
	FILENAME == ARGV[2] {           # "module folder" for each object
		if (!($2 in lrank)) {
			print "layers: module " $1 " is in " $2 "/, which is not a layer of " ARGV[1]
			bad = 1
			next
		}
		layer[$1] = $2; rank[$1] = lrank[$2]
		next
	}
	{                               # edges
		a = $1; b = $2
		edge[a " " b] = 1
		if ((a in rank) && (b in rank) && rank[b] < rank[a])
			v[++nv] = a " (" layer[a] ") calls " b " (" layer[b] ", a layer above)"
	}
	END {
		for (e in edge) {
			split(e, p, " ")
			if (p[1] < p[2] && ((p[2] " " p[1]) in edge))
				v[++nv] = p[1] " and " p[2] " call each other"
		}
		while ((getline line < known) > 0) k[line] = 1
		for (i = 1; i <= nv; i++) {
			if (v[i] in k) { seen[v[i]] = 1; nk++; continue }
			print "layers: " v[i]; bad = 1
		}
		for (line in k)
			if (!(line in seen)) { print "layers: no longer happens, take it out of the known list: " line; bad = 1 }
		printf "layers: %d modules, %d calls between them, %d known violations left\n", nm_count, ne, nk
		exit bad
	}
' "$layers" "$tmp/modules" "$tmp/edges" nm_count="$(wc -l < "$tmp/modules")" ne="$(wc -l < "$tmp/edges")"
