#!/usr/bin/env node
// Writes MapLibre glyph ranges (signed-distance-field PBFs, as fontnik renders them) of one font file:
//   node scripts/lib/glyphs.js FONT.ttf OUT-DIR START...
// OUT-DIR/<start>-<start+255>.pbf for each START (a multiple of 256). Only the ranges the map's labels can need
// are written: the rest of a font's 256 ranges would be files no style asks for.
"use strict";
const fs = require("fs");
const path = require("path");
const fontnik = require("fontnik");

const [fontFile, outDir, ...starts] = process.argv.slice(2);
if (!fontFile || !outDir || starts.length === 0) {
    console.error("usage: glyphs.js FONT.ttf OUT-DIR START...");
    process.exit(2);
}
const font = fs.readFileSync(fontFile);
fs.mkdirSync(outDir, { recursive: true });
for (const text of starts) {
    const start = Number(text);
    if (!Number.isInteger(start) || start < 0 || start > 65280 || start % 256 !== 0) {
        console.error(`glyphs.js: a range start must be a multiple of 256 up to 65280, not "${text}"`);
        process.exit(2);
    }
    fontnik.range({ font, start, end: start + 255 }, (error, pbf) => {
        if (error) {
            console.error(`glyphs.js: ${fontFile} ${start}: ${error}`);
            process.exit(1);
        }
        fs.writeFileSync(path.join(outDir, `${start}-${start + 255}.pbf`), pbf);
    });
}
