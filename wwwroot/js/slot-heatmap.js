// The slot heat map: 16,384 slots as square cells on one canvas, slot s at row s / side, column s % side.
// Data arrives as compact binary frames (HeatMapFrameEncoder.cs); hit-testing, hover, selection and dragging happen
// here. .NET is called only when a selection is committed, dropped on a node, or Enter asks to move it.
// Every number and name this module shares with .NET (the grid, the frame format, the layers, the unassigned owner
// value, the drag-and-drop attributes of node cards) arrives in the contract passed to initialize (HeatMapContract.cs):
// nothing here copies them, and a test checks that it stays so.
// Unassigned slots (no primary owns them) are drawn in the unassigned colour in every view and are never part of a
// selection: a sweep or a keyboard range across them selects only the assigned slots around them.
// Planned moves (a plan's preview, or the moves of a running plan not started yet) are hatched in the colour of the
// primary each slot is to move to, over what the cell shows now, so the map shows the cluster now and after the plan.

const DRAG_THRESHOLD_PX = 4;
// With more owners than this the legend gets a search box and shows at most LEGEND_MOST_SHOWN matching entries.
const LEGEND_SEARCH_ABOVE = 12;
const LEGEND_MOST_SHOWN = 40;
// Alpha of the cells of other owners while one owner is highlighted.
const DIMMED_ALPHA = 0x38;

// A perceptually even sequential scale (viridis), readable on light and dark backgrounds.
const RAMP = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'];
const UNASSIGNED_COLOR = { light: '#d9d9e0', dark: '#3a3a44' };
const ZERO_COLOR = { light: '#eeeef2', dark: '#24242c' };

/** The contract every canvas of this page shares (HeatMapContract); set by the first initialize. */
let contract = null;

const maps = new Map();

export function initialize(canvas, dotnet, legend, tooltip, view, wire) {
    contract = wire;
    const state = {
        canvas,
        dotnet,
        legend,
        tooltip,
        context: canvas.getContext('2d'),
        cells: document.createElement('canvas'),
        layers: contract.layers.map(() => new Uint8Array(contract.slots)),
        available: contract.layers.map(() => false),
        scales: contract.layers.map(() => 0),
        received: false,
        unassigned: 0,
        owners: [],
        metric: contract.ownerLayer,
        logScale: true,
        dark: false,
        moving: [],
        planned: [],
        hatches: new Map(),
        ranges: [],
        anchor: 0,
        cursor: -1,
        hover: -1,
        gesture: null,
        ghost: null,
        dropTarget: null,
        highlight: null,
        legendFilter: '',
        drawPending: false,
        listeners: [],
    };
    state.cells.width = contract.side;
    state.cells.height = contract.side;
    state.image = state.cells.getContext('2d').createImageData(contract.side, contract.side);
    state.pixels = new Uint32Array(state.image.data.buffer);
    maps.set(canvas, state);

    listen(state, canvas, 'pointerdown', e => onCanvasPointerDown(state, e));
    listen(state, canvas, 'pointermove', e => onPointerMove(state, e));
    listen(state, canvas, 'pointerup', e => onPointerUp(state, e));
    listen(state, canvas, 'pointercancel', () => endGesture(state));
    listen(state, canvas, 'pointerleave', () => { if (!state.gesture) { setHover(state, -1); } });
    listen(state, canvas, 'keydown', e => onKeyDown(state, e));
    listen(state, canvas, 'focus', () => { if (state.cursor < 0) { state.cursor = state.ranges.length ? state.ranges[0].start : 0; } scheduleDraw(state); });
    listen(state, canvas, 'blur', () => scheduleDraw(state));
    // Slot-range chips on node cards are dragged to other cards the same way as a selection on the map.
    listen(state, document, 'pointerdown', e => onChipPointerDown(state, e));
    listen(state, document, 'pointermove', e => { if (state.gesture?.chip) { onPointerMove(state, e); } });
    listen(state, document, 'pointerup', e => { if (state.gesture?.chip) { onPointerUp(state, e); } });
    // A node card, a node row or a legend entry under the pointer highlights its primary's slots and dims the rest.
    listen(state, document, 'pointerover', e => setHighlight(state, e.target.closest?.(`[${contract.ownerAttribute}]`)?.getAttribute(contract.ownerAttribute) ?? null));

    state.resize = new ResizeObserver(() => resize(state));
    state.resize.observe(canvas);
    canvas.setAttribute(contract.highlightAttribute, '');
    setView(canvas, view);
    resize(state);
}

export function dispose(canvas) {
    const state = maps.get(canvas);
    if (!state) {
        return;
    }

    endGesture(state);
    state.resize.disconnect();
    for (const [target, type, handler] of state.listeners) {
        target.removeEventListener(type, handler);
    }

    maps.delete(canvas);
}

/** Applies one frame: per layer the whole layer, its changed cells, or its runs (the layout is contract.frame's). */
export function applyFrame(canvas, frame) {
    const state = maps.get(canvas);
    if (!state) {
        return;
    }

    const f = contract.frame;
    const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint8(f.versionOffset) !== f.version) {
        throw new Error(`heat map frame version ${view.getUint8(f.versionOffset)} is not supported`);
    }

    const sections = view.getUint8(f.sectionCountOffset);
    let offset = f.headerSize;
    for (let i = 0; i < sections; i++) {
        const layer = view.getUint8(offset + f.layerOffset);
        const encoding = view.getUint8(offset + f.encodingOffset);
        const scale = view.getFloat64(offset + f.scaleOffset, true);
        const length = view.getUint32(offset + f.lengthOffset, true);
        const payload = offset + f.sectionHeaderSize;
        const target = state.layers[layer];
        state.scales[layer] = scale;
        state.available[layer] = encoding !== f.unavailable;
        if (encoding === f.full) {
            target.set(bytes.subarray(payload, payload + contract.slots));
        } else if (encoding === f.changes) {
            const count = view.getUint16(payload, true);
            const slots = payload + f.countSize;
            const values = slots + count * f.slotSize;
            for (let c = 0; c < count; c++) {
                target[view.getUint16(slots + c * f.slotSize, true)] = bytes[values + c];
            }
        } else if (encoding === f.runs) {
            const count = view.getUint16(payload, true);
            let slot = 0;
            for (let r = 0; r < count; r++) {
                const at = payload + f.countSize + r * f.runSize;
                // A run of every slot does not fit its u16 and is written as 0.
                const run = view.getUint16(at, true) || contract.slots;
                target.fill(bytes[at + f.runValueOffset], slot, slot + run);
                slot += run;
            }
        } else if (encoding === f.unavailable) {
            target.fill(0);
        } else {
            throw new Error(`heat map section encoding ${encoding} is not supported`);
        }

        if (layer === contract.ownerLayer) {
            state.unassigned = countUnassigned(target);
        }

        offset = payload + length;
    }

    state.received = true;
    markFrame(bytes.byteLength, sections);
    refreshScale(state);
    scheduleDraw(state);
    if (state.hover >= 0) {
        showTooltip(state, state.hover);
    }
}

/**
 * What to draw: { metric, logScale, dark, owners: [{ index, id, endpoint, color }], moving: "0-99,200",
 * planned: [{ slots: "0-99,200", target: "<node id>" }], unavailableReason: why CPU/network are not reported, or null }.
 */
export function setView(canvas, view) {
    const state = maps.get(canvas);
    if (!state || !view) {
        return;
    }

    state.metric = view.metric;
    state.logScale = view.logScale;
    state.dark = view.dark;
    state.owners = view.owners ?? [];
    state.unavailableReason = view.unavailableReason ?? null;
    // Indexed by the owner byte: every value not given to a primary (the unassigned value among them) is unassigned.
    state.ownerColors = new Uint32Array(256).fill(rgba(themed(state, UNASSIGNED_COLOR)));
    for (const owner of state.owners) {
        state.ownerColors[owner.index] = rgba(owner.color);
    }

    state.moving = parseRanges(view.moving);
    const planned = view.planned ?? [];
    state.planned = planned.map(p => ({ ranges: parseRanges(p.slots), owner: state.owners.find(o => o.id === p.target) }));
    // What the map marks as moving and planned and what it shows, readable by tests and automation without reading pixels.
    canvas.setAttribute(contract.movingAttribute, view.moving ?? '');
    canvas.setAttribute(contract.plannedAttribute, planned.map(p => `${p.slots}>${p.target}`).join(' '));
    canvas.setAttribute(contract.metricAttribute, layerOf(state.metric).name.toLowerCase());
    state.scaleKey = null;
    refreshScale(state);
    scheduleDraw(state);
}

/** Rebuilds the colour table and legend when what they depend on changed (metric, scale, mode, owners, unassigned slots). */
function refreshScale(state) {
    const key = `${state.metric}|${state.scales[state.metric]}|${state.available[state.metric]}|${state.logScale}|${state.dark}|${state.received}|${state.unassigned > 0}|${state.planned.length > 0}`;
    if (key === state.scaleKey) {
        return;
    }

    state.scaleKey = key;
    state.lut = buildLut(state);
    drawLegend(state);
}

/** Replaces the selection (e.g. clears it after a migration started), without calling back. */
export function setSelection(canvas, ranges) {
    const state = maps.get(canvas);
    if (!state) {
        return;
    }

    state.ranges = parseRanges(ranges);
    state.canvas.setAttribute(contract.selectionAttribute, formatRanges(selected(state)));
    scheduleDraw(state);
}

function markFrame(bytes, sections) {
    // For benchmarks and diagnostics: each frame's size, readable with performance.getEntriesByName('heatmap-frame').
    performance.mark('heatmap-frame', { detail: { bytes, sections } });
    if (performance.getEntriesByName('heatmap-frame').length > 600) {
        performance.clearMarks('heatmap-frame');
    }
}

// ---- pointer and keyboard ----

function listen(state, target, type, handler) {
    target.addEventListener(type, handler);
    state.listeners.push([target, type, handler]);
}

function slotAt(state, e) {
    const side = contract.side;
    const rect = state.canvas.getBoundingClientRect();
    const column = Math.floor((e.clientX - rect.left) / rect.width * side);
    const row = Math.floor((e.clientY - rect.top) / rect.height * side);
    if (column < 0 || column >= side || row < 0 || row >= side) {
        return -1;
    }

    return row * side + column;
}

function onCanvasPointerDown(state, e) {
    if (e.button !== 0) {
        return;
    }

    const slot = slotAt(state, e);
    if (slot < 0) {
        return;
    }

    // No text selection or native drag starts from the map: the gesture is ours.
    e.preventDefault();
    state.canvas.focus({ preventScroll: true });
    state.canvas.setPointerCapture(e.pointerId);
    state.cursor = slot;
    if (!e.shiftKey && !e.ctrlKey && !e.metaKey && isSelected(state, slot)) {
        // Pressing inside the selection picks it up to be dropped on a node card.
        state.gesture = { drag: true, ranges: formatRanges(selected(state)), x: e.clientX, y: e.clientY, moved: false, slot };
        return;
    }

    // A sweep may start on an unassigned slot (to reach assigned ones past it); only assigned slots end up selected.
    if (e.shiftKey && state.ranges.length > 0) {
        state.ranges[state.ranges.length - 1] = span(state.anchor, slot);
    } else if (e.ctrlKey || e.metaKey) {
        state.anchor = slot;
        state.ranges.push(span(slot, slot));
    } else {
        state.anchor = slot;
        state.ranges = [span(slot, slot)];
    }

    state.gesture = { select: true };
    scheduleDraw(state);
}

function onChipPointerDown(state, e) {
    const chip = e.button === 0 ? e.target.closest?.(`[${contract.slotRangeAttribute}]`) : null;
    if (!chip) {
        return;
    }

    e.preventDefault();
    state.gesture = { drag: true, chip: true, ranges: chip.getAttribute(contract.slotRangeAttribute), x: e.clientX, y: e.clientY, moved: false };
}

function onPointerMove(state, e) {
    const gesture = state.gesture;
    if (!gesture) {
        setHover(state, slotAt(state, e), e);
        return;
    }

    if (gesture.select) {
        const slot = slotAt(state, e);
        if (slot >= 0) {
            state.cursor = slot;
            state.ranges[state.ranges.length - 1] = span(state.anchor, slot);
            setHover(state, slot, e);
            scheduleDraw(state);
        }

        return;
    }

    if (!gesture.moved && Math.hypot(e.clientX - gesture.x, e.clientY - gesture.y) < DRAG_THRESHOLD_PX) {
        return;
    }

    gesture.moved = true;
    setHover(state, -1);
    moveGhost(state, gesture, e);
    markDropTarget(state, dropTargetAt(e));
}

function onPointerUp(state, e) {
    const gesture = state.gesture;
    if (!gesture) {
        return;
    }

    endGesture(state);
    if (gesture.select) {
        commitSelection(state);
    } else if (gesture.moved) {
        const target = dropTargetAt(e);
        if (target) {
            state.dotnet.invokeMethodAsync('Dropped', gesture.ranges, target.getAttribute(contract.dropNodeAttribute));
        }
    } else if (!gesture.chip) {
        // A click inside the selection without dragging selects just that slot.
        state.anchor = gesture.slot;
        state.ranges = [span(gesture.slot, gesture.slot)];
        scheduleDraw(state);
        commitSelection(state);
    }
}

function endGesture(state) {
    state.gesture = null;
    state.ghost?.remove();
    state.ghost = null;
    markDropTarget(state, null);
}

function onKeyDown(state, e) {
    const side = contract.side;
    const steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -side, ArrowDown: side };
    if (e.key in steps) {
        e.preventDefault();
        const from = state.cursor < 0 ? 0 : state.cursor;
        state.cursor = Math.min(contract.slots - 1, Math.max(0, from + steps[e.key]));
        if (e.shiftKey) {
            if (state.ranges.length === 0) {
                state.anchor = from;
                state.ranges.push(span(from, from));
            }

            state.ranges[state.ranges.length - 1] = span(state.anchor, state.cursor);
            commitSelection(state);
        } else {
            state.anchor = state.cursor;
        }

        showTooltip(state, state.cursor);
        scheduleDraw(state);
    } else if (e.key === ' ') {
        // Space on an unassigned slot selects nothing: the selection becomes empty.
        e.preventDefault();
        state.anchor = state.cursor < 0 ? 0 : state.cursor;
        if (e.ctrlKey || e.metaKey) {
            state.ranges.push(span(state.anchor, state.anchor));
        } else {
            state.ranges = [span(state.anchor, state.anchor)];
        }

        commitSelection(state);
        scheduleDraw(state);
    } else if (e.key === 'Escape') {
        state.ranges = [];
        commitSelection(state);
        scheduleDraw(state);
    } else if (e.key === 'Enter' && selected(state).length > 0) {
        e.preventDefault();
        state.dotnet.invokeMethodAsync('MoveRequested');
    }
}

function commitSelection(state) {
    const selection = formatRanges(selected(state));
    state.canvas.setAttribute(contract.selectionAttribute, selection);
    state.dotnet.invokeMethodAsync('SelectionChanged', selection);
}

function dropTargetAt(e) {
    return document.elementFromPoint(e.clientX, e.clientY)?.closest(`[${contract.dropNodeAttribute}]`) ?? null;
}

function markDropTarget(state, target) {
    if (state.dropTarget === target) {
        return;
    }

    state.dropTarget?.classList.remove('drop-target-active');
    target?.classList.add('drop-target-active');
    state.dropTarget = target;
}

function moveGhost(state, gesture, e) {
    if (!state.ghost) {
        state.ghost = document.createElement('div');
        state.ghost.className = 'slot-drag-ghost';
        state.ghost.setAttribute('data-testid', 'slot-drag-ghost');
        state.ghost.textContent = `${countSlots(parseRanges(gesture.ranges)).toLocaleString('en')} slots · drop on a node`;
        document.body.appendChild(state.ghost);
    }

    state.ghost.style.transform = `translate(${e.clientX + 12}px, ${e.clientY + 12}px)`;
}

// ---- hover ----

function setHover(state, slot, e) {
    if (slot === state.hover) {
        if (slot >= 0 && e) {
            placeTooltip(state, e);
        }

        return;
    }

    state.hover = slot;
    scheduleDraw(state);
    if (slot < 0) {
        state.tooltip.hidden = true;
        return;
    }

    showTooltip(state, slot);
    if (e) {
        placeTooltip(state, e);
    }
}

function showTooltip(state, slot) {
    if (slot < 0 || !state.received) {
        return;
    }

    const side = contract.side;
    const ownerIndex = state.layers[contract.ownerLayer][slot];
    const owner = state.owners.find(o => o.index === ownerIndex);
    const lines = [
        `<b>Slot ${slot}</b> <span class="dim">row ${Math.floor(slot / side)}, column ${slot % side}</span>`,
        `Owner: ${owner ? escape(owner.endpoint) : 'unassigned'}`,
    ];
    const plannedTo = state.planned.find(p => p.owner && p.ranges.some(r => slot >= r.start && slot <= r.end))?.owner;
    if (plannedTo) {
        lines.push(`Planned: moves to ${escape(plannedTo.endpoint)}`);
    }
    for (const layer of contract.layers) {
        if (layer.value !== contract.ownerLayer) {
            lines.push(`${layer.name}: ${state.available[layer.value] ? formatFigure(layer, valueOf(state, layer.value, slot)) : 'not reported'}`);
        }
    }

    state.tooltip.innerHTML = lines.join('<br>');
    state.tooltip.hidden = false;
    if (state.gesture == null && document.activeElement === state.canvas && state.hover !== slot) {
        // Keyboard: put the tooltip beside the cursor cell.
        const rect = state.canvas.getBoundingClientRect();
        placeTooltip(state, { clientX: rect.left + ((slot % side) + 1) * rect.width / side, clientY: rect.top + (Math.floor(slot / side) + 1) * rect.height / side });
    }
}

function placeTooltip(state, e) {
    const host = state.tooltip.offsetParent ?? state.canvas.parentElement;
    const rect = host.getBoundingClientRect();
    let x = e.clientX - rect.left + 14;
    let y = e.clientY - rect.top + 14;
    if (x + state.tooltip.offsetWidth > rect.width) {
        x = e.clientX - rect.left - state.tooltip.offsetWidth - 14;
    }

    if (y + state.tooltip.offsetHeight > rect.height) {
        y = e.clientY - rect.top - state.tooltip.offsetHeight - 14;
    }

    state.tooltip.style.transform = `translate(${Math.max(0, x)}px, ${Math.max(0, y)}px)`;
}

// ---- drawing ----

function resize(state) {
    const ratio = window.devicePixelRatio || 1;
    const size = Math.max(contract.side, Math.round(state.canvas.clientWidth * ratio));
    if (state.canvas.width !== size) {
        state.canvas.width = size;
        state.canvas.height = size;
    }

    scheduleDraw(state);
}

function scheduleDraw(state) {
    if (state.drawPending) {
        return;
    }

    state.drawPending = true;
    requestAnimationFrame(() => {
        state.drawPending = false;
        if (maps.has(state.canvas)) {
            draw(state);
        }
    });
}

function draw(state) {
    performance.mark('heatmap-draw-start');
    const { context, canvas, pixels } = state;
    const size = canvas.width;
    const cell = size / contract.side;
    const owners = state.layers[contract.ownerLayer];
    if (state.metric === contract.ownerLayer) {
        for (let slot = 0; slot < contract.slots; slot++) {
            pixels[slot] = state.ownerColors[owners[slot]];
        }
    } else {
        // An unassigned slot has no figures: it keeps the unassigned colour in every view.
        const values = state.layers[state.metric];
        const lut = state.lut;
        const unassigned = state.ownerColors[contract.unassigned];
        for (let slot = 0; slot < contract.slots; slot++) {
            pixels[slot] = owners[slot] === contract.unassigned ? unassigned : lut[values[slot]];
        }
    }

    if (state.highlight !== null) {
        for (let slot = 0; slot < contract.slots; slot++) {
            if (owners[slot] !== state.highlight) {
                pixels[slot] = ((pixels[slot] & 0x00ffffff) | (DIMMED_ALPHA << 24)) >>> 0;
            }
        }
    }

    state.cells.getContext('2d').putImageData(state.image, 0, 0);
    context.imageSmoothingEnabled = false;
    context.clearRect(0, 0, size, size);
    context.drawImage(state.cells, 0, 0, size, size);
    drawBoundaries(state, context, owners, cell);

    // Planned moves: hatched in the colour of the primary the slots are to move to.
    for (const move of state.planned) {
        if (!move.owner) {
            continue;
        }

        context.fillStyle = hatch(state, move.owner.color, cell);
        for (const [row, from, to] of rowSpans(move.ranges)) {
            context.fillRect(from * cell, row * cell, (to - from + 1) * cell, cell);
        }
    }

    // Slots that are moving: diagonal stripes over their cells.
    if (state.moving.length > 0) {
        context.fillStyle = stripes(state, cell);
        for (const [row, from, to] of rowSpans(state.moving)) {
            context.fillRect(from * cell, row * cell, (to - from + 1) * cell, cell);
        }
    }

    // The selection: a translucent wash with an outline per row.
    const selection = selected(state);
    if (selection.length > 0) {
        context.fillStyle = state.dark ? 'rgba(255,255,255,0.35)' : 'rgba(255,255,255,0.45)';
        context.strokeStyle = state.dark ? '#ffffff' : '#1b1537';
        context.lineWidth = Math.max(1, cell / 5);
        for (const [row, from, to] of rowSpans(selection)) {
            context.fillRect(from * cell, row * cell, (to - from + 1) * cell, cell);
        }

        for (const range of selection) {
            outlineRange(context, range, cell);
        }
    }

    if (state.hover >= 0) {
        strokeCell(context, state.hover, cell, state.dark ? '#ffffff' : '#000000');
    }

    if (document.activeElement === state.canvas && state.cursor >= 0) {
        context.setLineDash([cell / 2, cell / 3]);
        strokeCell(context, state.cursor, cell, '#ff4081');
        context.setLineDash([]);
    }

    performance.measure('heatmap-draw', 'heatmap-draw-start');
    performance.clearMarks('heatmap-draw-start');
    if (performance.getEntriesByName('heatmap-draw').length > 600) {
        performance.clearMeasures('heatmap-draw');
    }
}

/**
 * A line along every cell edge between slots of different owners (and between owned and unassigned slots), in the
 * page's background colour: ranges of different owners stay visibly apart however alike their colours are.
 */
function drawBoundaries(state, context, owners, cell) {
    if (cell < 2) {
        return;
    }

    const side = contract.side;
    const width = Math.max(1, Math.round(cell / 5));
    context.beginPath();
    for (let row = 0; row < side; row++) {
        const base = row * side;
        for (let column = 0; column < side; column++) {
            const owner = owners[base + column];
            if (column + 1 < side && owners[base + column + 1] !== owner) {
                context.rect((column + 1) * cell - width / 2, row * cell, width, cell);
            }

            if (row + 1 < side && owners[base + side + column] !== owner) {
                context.rect(column * cell, (row + 1) * cell - width / 2, cell, width);
            }
        }
    }

    context.fillStyle = state.dark ? '#1b1b22' : '#ffffff';
    context.fill();
}

function strokeCell(context, slot, cell, color) {
    context.strokeStyle = color;
    context.lineWidth = Math.max(1.5, cell / 4);
    context.strokeRect((slot % contract.side) * cell, Math.floor(slot / contract.side) * cell, cell, cell);
}

/** Outlines a row-major range: the cells from start to end read like text, so the outline is up to three boxes. */
function outlineRange(context, range, cell) {
    const side = contract.side;
    const first = Math.floor(range.start / side);
    const last = Math.floor(range.end / side);
    if (first === last) {
        context.strokeRect((range.start % side) * cell, first * cell, (range.end - range.start + 1) * cell, cell);
        return;
    }

    context.strokeRect((range.start % side) * cell, first * cell, (side - range.start % side) * cell, cell);
    if (last - first > 1) {
        context.strokeRect(0, (first + 1) * cell, side * cell, (last - first - 1) * cell);
    }

    context.strokeRect(0, last * cell, (range.end % side + 1) * cell, cell);
}

function stripes(state, cell) {
    const key = `${Math.round(cell * 4)}-${state.dark}`;
    if (state.stripeKey !== key) {
        const tile = document.createElement('canvas');
        const side = Math.max(4, Math.round(cell * 1.5));
        tile.width = side;
        tile.height = side;
        const t = tile.getContext('2d');
        t.strokeStyle = state.dark ? 'rgba(255,255,255,0.8)' : 'rgba(0,0,0,0.6)';
        t.lineWidth = Math.max(1, side / 4);
        t.beginPath();
        t.moveTo(0, side);
        t.lineTo(side, 0);
        t.stroke();
        state.stripePattern = state.context.createPattern(tile, 'repeat');
        state.stripeKey = key;
    }

    return state.stripePattern;
}

/**
 * Diagonal stripes of one colour, half of every cell's area, drawn pixel by pixel (no anti-aliasing): the stripes are
 * exactly the target's colour and the gaps leave the cell's own colour, so both read on any cell size.
 */
function hatch(state, color, cell) {
    const period = Math.max(4, Math.round(cell * 1.5));
    const key = `${color}|${period}`;
    let pattern = state.hatches.get(key);
    if (!pattern) {
        const tile = document.createElement('canvas');
        tile.width = period;
        tile.height = period;
        const t = tile.getContext('2d');
        const image = t.createImageData(period, period);
        const pixels = new Uint32Array(image.data.buffer);
        const value = rgba(color);
        for (let y = 0; y < period; y++) {
            for (let x = 0; x < period; x++) {
                if ((x + y) % period < period / 2) {
                    pixels[y * period + x] = value;
                }
            }
        }

        t.putImageData(image, 0, 0);
        pattern = state.context.createPattern(tile, 'repeat');
        state.hatches.set(key, pattern);
    }

    return pattern;
}

// ---- colours and figures ----

function themed(state, colors) {
    return state.dark ? colors.dark : colors.light;
}

function layerOf(value) {
    return contract.layers.find(l => l.value === value);
}

function buildLut(state) {
    const levels = contract.maxLevel;
    const lut = new Uint32Array(levels + 1);
    const ramp = RAMP.map(hex => [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)]);
    lut[0] = rgba(themed(state, ZERO_COLOR));
    const scale = state.scales[state.metric] || 1;
    for (let q = 1; q <= levels; q++) {
        // The bytes are logarithmic already; a linear view maps the figure they stand for.
        const t = state.logScale ? q / levels : dequantize(q, scale) / scale;
        const position = Math.min(1, Math.max(0, t)) * (ramp.length - 1);
        const i = Math.min(ramp.length - 2, Math.floor(position));
        const f = position - i;
        const [r, g, b] = ramp[i].map((c, k) => Math.round(c + (ramp[i + 1][k] - c) * f));
        lut[q] = pack(r, g, b);
    }

    return lut;
}

function drawLegend(state) {
    if (!state.legend) {
        return;
    }

    const unassigned = `<span class="legend-item" data-testid="legend-unassigned"><span class="swatch" style="background:${themed(state, UNASSIGNED_COLOR)}"></span>unassigned</span>`;
    const planned = state.planned.length > 0
        ? `<span class="legend-item" data-testid="legend-planned"><span class="swatch swatch-planned"></span>hatched: planned to move to the primary of that colour</span>`
        : '';
    if (state.metric === contract.ownerLayer) {
        delete state.legend.dataset.scale;
        if (state.owners.length <= LEGEND_SEARCH_ABOVE) {
            state.legend.innerHTML = state.owners.map(legendItem).join('') + unassigned + planned;
            return;
        }

        // Many owners: a search box (kept across redraws, with what was typed) and the entries that match it.
        state.legend.innerHTML =
            `<input type="search" class="legend-search" placeholder="Find a primary (${state.owners.length})" aria-label="Find a primary in the legend" data-testid="legend-search">` +
            `<span class="legend-owners" data-testid="legend-owners"></span>${unassigned}${planned}`;
        const search = state.legend.querySelector('.legend-search');
        search.value = state.legendFilter;
        search.addEventListener('input', () => { state.legendFilter = search.value; drawLegendOwners(state); });
        drawLegendOwners(state);
        return;
    }

    const layer = layerOf(state.metric);
    const scale = state.scales[state.metric];
    if (!state.available[state.metric] && state.received) {
        delete state.legend.dataset.scale;
        const why = state.unavailableReason ?? 'slot statistics are disabled on the primaries (cluster-slot-stats-enabled no).';
        state.legend.innerHTML = `<span class="dim" data-testid="heatmap-layer-unavailable">${escape(layer.name)} is not reported: ${escape(why)}</span>`;
        return;
    }

    // The figure the top of the ramp stands for, readable by tests and automation.
    state.legend.dataset.scale = String(scale);
    const ticks = state.logScale ? [0, 1 / 3, 2 / 3, 1] : [0, 0.5, 1];
    const labels = ticks.map(t => formatFigure(layer, state.logScale ? dequantize(Math.round(t * contract.maxLevel), scale) : t * scale));
    state.legend.innerHTML =
        `<span class="dim">${layer.name} (${state.logScale ? 'log' : 'linear'})</span>` +
        `<span class="legend-ramp"><span class="ramp" style="background:linear-gradient(to right, ${RAMP.join(',')})"></span>` +
        `<span class="ramp-labels">${labels.map(l => `<span>${l}</span>`).join('')}</span></span>` +
        `<span class="legend-item" data-testid="legend-zero"><span class="swatch" style="background:${themed(state, ZERO_COLOR)}"></span>0</span>` +
        (state.unassigned > 0 ? unassigned : '') + planned;
}

function legendItem(o) {
    return `<span class="legend-item" ${contract.ownerAttribute}="${escape(o.id)}"><span class="swatch" style="background:${escape(o.color)}"></span>${escape(o.endpoint)}</span>`;
}

/** The owner entries that match the legend's search (endpoint or id), at most LEGEND_MOST_SHOWN of them. */
function drawLegendOwners(state) {
    const list = state.legend.querySelector('.legend-owners');
    if (!list) {
        return;
    }

    const text = state.legendFilter.trim().toLowerCase();
    const matches = text ? state.owners.filter(o => o.endpoint.toLowerCase().includes(text) || o.id.startsWith(text)) : state.owners;
    const more = matches.length - LEGEND_MOST_SHOWN;
    list.innerHTML = matches.slice(0, LEGEND_MOST_SHOWN).map(legendItem).join('') +
        (more > 0 ? `<span class="dim" data-testid="legend-more">+${more} more: type to narrow</span>` : '') +
        (matches.length === 0 ? `<span class="dim">no primary matches</span>` : '');
}

/** Highlights one owner's slots (dimming every other cell), or none; the canvas says which in its highlight attribute. */
function setHighlight(state, ownerId) {
    const owner = ownerId ? state.owners.find(o => o.id === ownerId) ?? null : null;
    if ((owner?.index ?? null) === state.highlight) {
        return;
    }

    state.highlight = owner?.index ?? null;
    state.canvas.setAttribute(contract.highlightAttribute, owner?.id ?? '');
    scheduleDraw(state);
}

function valueOf(state, layer, slot) {
    return dequantize(state.layers[layer][slot], state.scales[layer]);
}

/** The figure a quantised byte stands for (SlotHeatQuantizer.Dequantize). */
function dequantize(q, scale) {
    return q === 0 ? 0 : Math.exp(q / contract.maxLevel * Math.log(1 + scale)) - 1;
}

function formatFigure(layer, value) {
    const unit = layer.unit;
    if (value === 0) {
        return `0 ${unit}`;
    }

    // Small key counts read back exactly; larger figures and rates are approximations of the quantised byte.
    const approx = unit === 'keys' && value < 20 ? '' : '≈ ';
    if (unit === 'B/s') {
        const units = ['B/s', 'KiB/s', 'MiB/s', 'GiB/s'];
        let v = value;
        let u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }

        return `${approx}${v < 10 && u > 0 ? v.toFixed(1) : Math.round(v).toLocaleString('en')} ${units[u]}`;
    }

    return `${approx}${Math.round(value).toLocaleString('en')} ${unit}`;
}

function rgba(hex) {
    return pack(parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16));
}

/** An opaque colour as the canvas's image data holds it (bytes r, g, b, a in memory). */
function pack(r, g, b) {
    return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

function escape(text) {
    return String(text).replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}

// ---- ranges ----

function span(a, b) {
    return { start: Math.min(a, b), end: Math.max(a, b) };
}

/** The selection as it counts: the ranges swept, without the slots no primary owns. */
function selected(state) {
    if (state.unassigned === 0) {
        return state.ranges;
    }

    const owners = state.layers[contract.ownerLayer];
    const result = [];
    for (const range of state.ranges) {
        let start = -1;
        for (let slot = range.start; slot <= range.end + 1; slot++) {
            const assigned = slot <= range.end && owners[slot] !== contract.unassigned;
            if (assigned && start < 0) {
                start = slot;
            } else if (!assigned && start >= 0) {
                result.push(span(start, slot - 1));
                start = -1;
            }
        }
    }

    return result;
}

function countUnassigned(owners) {
    let count = 0;
    for (const owner of owners) {
        if (owner === contract.unassigned) {
            count++;
        }
    }

    return count;
}

function isSelected(state, slot) {
    return selected(state).some(r => slot >= r.start && slot <= r.end);
}

function parseRanges(text) {
    if (!text) {
        return [];
    }

    return text.split(',').filter(Boolean).map(part => {
        const [start, end] = part.split('-').map(Number);
        return { start, end: Number.isNaN(end) || end === undefined ? start : end };
    });
}

/** Sorted, merged "a-b,c" (the form the API and SlotRangeSet read). */
function formatRanges(ranges) {
    const sorted = ranges.map(r => ({ ...r })).sort((a, b) => a.start - b.start);
    const merged = [];
    for (const r of sorted) {
        const last = merged[merged.length - 1];
        if (last && r.start <= last.end + 1) {
            last.end = Math.max(last.end, r.end);
        } else {
            merged.push(r);
        }
    }

    return merged.map(r => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(',');
}

function countSlots(ranges) {
    return ranges.reduce((n, r) => n + r.end - r.start + 1, 0);
}

/** [row, fromColumn, toColumn] for every row a set of ranges touches. */
function* rowSpans(ranges) {
    const side = contract.side;
    for (const r of ranges) {
        for (let row = Math.floor(r.start / side); row <= Math.floor(r.end / side); row++) {
            const from = row === Math.floor(r.start / side) ? r.start % side : 0;
            const to = row === Math.floor(r.end / side) ? r.end % side : side - 1;
            yield [row, from, to];
        }
    }
}
