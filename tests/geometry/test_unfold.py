"""Flat patterns (geometry/unfold.py) of analytic bent parts against shared reference
cad-exports-pmi.md §2.4: the flat length is the flanges' straight lengths plus each bend's
allowance θ (R + K t); the example's bracket by hand; NIST CTC-03; parts that cannot unfold."""

from __future__ import annotations

import math

import cadquery as cq
import pytest
from pytest import approx

from techpack.catalog import builtin
from techpack.geometry import stepfile
from techpack.geometry.flat import Flat
from techpack.geometry.unfold import UnfoldError, unfold
from techpack.standards.bending import k_factor
from tests.conftest import FIXTURES
from tests.geometry.test_features import example, only_solid

CTC_03 = FIXTURES / "nist_ctc_03_asme1_ap203.stp"


def fixed(k: float):
    """A k_factor callable giving K = k for every bend."""
    return lambda r, t: (k, f"K {k} for the test")


def allowance(angle_deg: float, r: float, k: float, t: float) -> float:
    """BA = θ (R + K t), mm."""
    return math.radians(angle_deg) * (r + k * t)


def bent(flats, bends, t, r, width, holes=(), clean=True) -> cq.Solid:
    """A sheet bent along lines parallel to Z, extruded `width` along Z. Walking its left side
    from the origin along +X: straight flats of the given lengths (between tangent lines),
    between them bends of the given angles (degrees, positive turning left), inside radius r;
    the sheet lies t thick to the walker's right. holes: (flat index, distance from the flat's
    first tangent line or end, z, diameter), drilled square through the flat. clean=False
    keeps two bends end to end (a flat of length 0) as two faces."""
    x, y, a = 0.0, 0.0, 0.0
    starts = []
    for i, length in enumerate(flats):
        starts.append((x, y, a))
        x, y = x + length * math.cos(a), y + length * math.sin(a)
        if i < len(bends):
            turn = math.radians(bends[i])
            radius = r if turn > 0 else r + t  # the left side is the bend's inside when turning left
            sign = math.copysign(1, turn)
            cx, cy = x - sign * radius * math.sin(a), y + sign * radius * math.cos(a)  # the centre, left or right
            x, y = cx + (x - cx) * math.cos(turn) - (y - cy) * math.sin(turn), cy + (x - cx) * math.sin(turn) + (y - cy) * math.cos(turn)
            a += turn

    def side(off: float) -> list:
        """The section's side `off` right of the left one: ("line", p0, p1) and ("arc", p0, mid, p1)."""
        out = []
        for i, (sx, sy, sa) in enumerate(starts):
            right = (math.sin(sa), -math.cos(sa))
            p0 = (sx + off * right[0], sy + off * right[1])
            p1 = (p0[0] + flats[i] * math.cos(sa), p0[1] + flats[i] * math.sin(sa))
            out.append(("line", p0, p1))
            if i < len(bends):
                turn = math.radians(bends[i])
                rho = (r + off) if turn > 0 else (r + t - off)  # this side's radius
                sign = math.copysign(1, turn)
                cx, cy = p1[0] - sign * rho * right[0], p1[1] - sign * rho * right[1]
                ends = [(cx + (p1[0] - cx) * math.cos(f * turn) - (p1[1] - cy) * math.sin(f * turn),
                         cy + (p1[0] - cx) * math.sin(f * turn) + (p1[1] - cy) * math.cos(f * turn)) for f in (0.5, 1.0)]
                out.append(("arc", p1, *ends))
        return out

    left, right = side(0.0), side(t)
    wp = cq.Workplane("XY").moveTo(*left[0][1])
    for seg in left:
        if seg[0] == "arc":
            wp = wp.threePointArc(seg[2], seg[3])
        elif seg[1] != seg[2]:  # a flat of length 0 puts two bends end to end
            wp = wp.lineTo(*seg[2])
    wp = wp.lineTo(*right[-1][2])
    for seg in reversed(right):
        if seg[0] == "arc":
            wp = wp.threePointArc(seg[2], seg[1])
        elif seg[1] != seg[2]:
            wp = wp.lineTo(*seg[1])
    solid = wp.close().extrude(width, clean=clean)
    for i, s, z, d in holes:
        sx, sy, sa = starts[i]
        n = (math.sin(sa), -math.cos(sa))
        at = cq.Vector(sx + s * math.cos(sa) - n[0], sy + s * math.sin(sa) - n[1], z)
        solid = solid.cut(cq.Workplane().add(cq.Solid.makeCylinder(d / 2, t + 2, at, cq.Vector(n[0], n[1], 0))))
    return only_solid(solid)


# The reference's three parts (§2.4), a hole in each flat: (flats, bends, t, R, width, K, holes, reference flat length)
PARTS = {
    "L": ([40, 30], [90], 2.0, 3.0, 50.0, 0.44, [(0, 15, 25, 6.5), (1, 18, 12, 5.0)], 76.094690),
    "U": ([30, 60, 30], [90, 90], 2.0, 3.0, 40.0, 0.44, [(0, 12, 20, 5.0), (1, 30, 20, 6.0), (2, 18, 10, 4.0)], 132.189379),
    "Z": ([25, 35, 20], [135, -60], 1.5, 2.0, 30.0, 0.40, [(0, 10, 15, 4.0), (1, 17, 15, 5.0), (2, 10, 15, 4.0)], 88.848819),
}


@pytest.fixture(scope="module")
def parts() -> dict[str, cq.Solid]:
    return {name: bent(flats, bends, t, r, width, holes) for name, (flats, bends, t, r, width, _, holes, _) in PARTS.items()}


def analytic_length(name: str) -> float:
    """Σ flats + Σ θ (R + K t), mm."""
    flats, bends, t, r, _, k, _, _ = PARTS[name]
    return sum(flats) + sum(allowance(abs(b), r, k, t) for b in bends)


def along(name: str, i: int, s: float) -> float:
    """Distance on the flat from the end of flat 0 to the point s along flat i (mm)."""
    flats, bends, t, r, _, k, _, _ = PARTS[name]
    return sum(flats[j] + allowance(abs(bends[j]), r, k, t) for j in range(i)) + s


def mirrored(flat: Flat, points: list[tuple[float, float]], expected: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points flipped across the flat's middle in X and/or Y to fit `expected` best: the
    flat may show the part from either side and start from either end."""
    w, h = flat.size
    flips = [[(w - x if fx else x, h - y if fy else y) for x, y in points] for fx in (False, True) for fy in (False, True)]
    return min(flips, key=lambda ps: max(math.dist(p, q) for p, q in zip(sorted(ps), sorted(expected))))


@pytest.mark.parametrize("name", sorted(PARTS))
def test_flat_length_is_the_flanges_plus_the_bend_allowances(parts, name):
    _, _, t, _, width, k, _, reference = PARTS[name]
    flat = unfold(parts[name], fixed(k))
    assert flat.size == (approx(width, abs=1e-9), approx(analytic_length(name), abs=1e-3))
    assert flat.size[1] == approx(reference, abs=1e-6)  # the reference's unfold gave the analytic length to 1e-14
    assert flat.thickness_mm == approx(t, abs=1e-9)
    assert len(flat.outline.segments) == 4 and all(s.bulge == 0 for s in flat.outline.segments)


@pytest.mark.parametrize("name", sorted(PARTS))
def test_holes_keep_their_size_and_distance_from_the_edges(parts, name):
    k, holes = PARTS[name][5], PARTS[name][6]
    flat = unfold(parts[name], fixed(k))
    circles = [h.circle for h in flat.holes]
    assert len(circles) == len(holes) and None not in circles
    assert sorted(2 * r for _, r in circles) == approx(sorted(d for *_, d in holes), abs=1e-9)
    # across the bends: z; along: the flats and allowances before the hole's flat, plus its distance
    expected = [(z, along(name, i, s)) for i, s, z, _ in holes]
    centres = mirrored(flat, [c for c, _ in circles], expected)
    assert sorted(centres) == [approx(p, abs=1e-6) for p in sorted(expected)]
    for centre, (_, r) in zip(centres, circles):
        nearest = min(range(len(holes)), key=lambda j: math.dist(centre, expected[j]))
        assert 2 * r == approx(holes[nearest][3], abs=1e-9)


@pytest.mark.parametrize("name,directions", [("L", ["up"]), ("U", ["up", "up"]), ("Z", ["up", "down"])])
def test_bend_lines(parts, name, directions):
    """Bends numbered in order from the root flange; their centre lines across the whole
    width, parallel to X, halfway through each allowance. The flat is seen from the outside
    of the largest planar face: here the longest flat's left face (it ties in area with the
    right one and comes first). Every bend turning left turns toward that side and comes up;
    the Z's second bend turns right, down."""
    flats, bends, t, r, width, k, _, _ = PARTS[name]
    flat = unfold(parts[name], fixed(k))
    assert [b.number for b in flat.bends] == list(range(1, len(bends) + 1))
    assert [b.direction for b in flat.bends] == directions
    assert [b.angle_deg for b in flat.bends] == approx([abs(b) for b in bends], abs=1e-9)
    assert [b.inside_radius_mm for b in flat.bends] == approx([r] * len(bends), abs=1e-9)
    assert [b.k_factor for b in flat.bends] == [k] * len(bends)
    assert [b.allowance_mm for b in flat.bends] == approx([allowance(abs(b), r, k, t) for b in bends], abs=1e-9)
    assert {b.k_source for b in flat.bends} == {f"K {k} for the test"}
    ends = [p for b in flat.bends for p in (b.start, b.end)]
    expected = [(x, along(name, i, flats[i]) + allowance(abs(bends[i]), r, k, t) / 2) for i in range(len(bends)) for x in (0.0, width)]
    assert sorted(mirrored(flat, ends, expected)) == [approx(p, abs=1e-6) for p in sorted(expected)]


@pytest.mark.parametrize("name", sorted(PARTS))
def test_at_k_one_half_the_flat_is_the_mid_surface(parts, name):
    """K = 0.5 puts the neutral fibre mid-sheet: flat area × t is the solid's volume."""
    t = PARTS[name][2]
    flat = unfold(parts[name], fixed(0.5))
    assert flat.area * t == approx(parts[name].Volume(), rel=1e-12)


def test_k_from_0_33_to_0_5_lengthens_the_l_by_0_17_t_pi_over_2(parts):
    short, long = (unfold(parts["L"], fixed(k)).size[1] for k in (0.33, 0.50))
    assert long - short == approx(0.17 * 2.0 * math.pi / 2, abs=1e-9)


def test_the_same_part_unfolds_to_the_same_flat(parts):
    assert unfold(parts["Z"], fixed(0.4)) == unfold(parts["Z"], fixed(0.4))


def test_k_factor_gets_the_inside_radius_and_thickness(parts):
    asked = []
    unfold(parts["Z"], lambda r, t: asked.append((r, t)) or (0.4, "x"))
    assert asked == [(approx(2.0), approx(1.5)), (approx(2.0), approx(1.5))]


def test_given_thickness_is_used_and_checked(parts):
    assert unfold(parts["L"], fixed(0.44), thickness_mm=2.0).size[1] == approx(76.094690, abs=1e-6)
    with pytest.raises(UnfoldError, match=r"^bend 1 \(faces \d+ and \d+\) is 2 mm thick \(radii 3 and 5 mm\), the sheet 3 mm"):
        unfold(parts["L"], fixed(0.44), thickness_mm=3.0)


def test_engraved_mark_is_no_hole(parts):
    """An O cut 0.6 mm deep into each side of the L's second flange: the one on the unfolded
    side is engraving (its two circles), not holes; the other side's does not show."""

    def ring(x: float, y: float, z: float, into: float) -> cq.Workplane:
        at, d = cq.Vector(x - into * 0.6, y, z), cq.Vector(into, 0, 0)
        return cq.Workplane().add(cq.Solid.makeCylinder(6, 1.2, at, d).cut(cq.Solid.makeCylinder(3, 1.2, at, d)))

    # the second flange stands on x = 43..45, y = 3..33 (its tangent line at y = 3)
    marked = only_solid(cq.Workplane().add(parts["L"]).cut(ring(43, 15, 36, 1)).cut(ring(45, 25, 36, -1)))
    plain, flat = unfold(parts["L"], fixed(0.44)), unfold(marked, fixed(0.44))
    assert flat.size == approx(plain.size, abs=1e-9)
    assert sorted(h.circle for h in flat.holes) == sorted(h.circle for h in plain.holes)
    circles = [e.circle for e in flat.engraving]
    assert sorted(r for _, r in circles) == approx([3.0, 6.0], abs=1e-9)
    expected = [(36.0, along("L", 1, 15 - 3))]  # the inside face's O: 12 along the flange
    for centre, _ in circles:
        assert mirrored(flat, [centre], expected) == [approx(expected[0], abs=1e-6)]


def test_hole_across_a_bend(parts):
    """A Ø5 hole drilled along the L's bisector through its bend: the hole is 5 wide along the
    bend line and centred on it (its outline in the flat comes from spline edges turned into
    arcs within 0.01 mm)."""
    drill = cq.Solid.makeCylinder(2.5, 30, cq.Vector(40, 3, 25), cq.Vector(math.sqrt(0.5), -math.sqrt(0.5), 0))  # from the bend's axis
    part = only_solid(cq.Workplane().add(parts["L"]).cut(cq.Workplane().add(drill)))
    flat = unfold(part, fixed(0.44))
    assert flat.size[1] == approx(analytic_length("L"), abs=1e-6)
    (bend,) = flat.bends
    assert (bend.start[0], bend.end[0]) == (approx(0.0, abs=1e-9), approx(50.0, abs=1e-9))
    across = [h for h in flat.holes if h.circle is None]
    assert len(flat.holes) == 3 and len(across) == 1
    (x0, y0), (x1, y1) = Flat(across[0]).bounds
    assert (x1 - x0, (x0 + x1) / 2, (y0 + y1) / 2) == (approx(5.0, abs=1e-3), approx(25.0, abs=1e-3), approx(bend.start[1], abs=1e-3))


def test_bend_cut_in_two_by_a_slot_is_one_bend(parts):
    """A 2 mm slot across the L's bend (z = 24..26) cuts both its faces in two: one bend line
    across the whole width, the slot a 2 × BA cut-out on it."""
    part = only_solid(cq.Workplane().add(parts["L"]).cut(cq.Workplane().box(6, 6, 2, centered=False).translate((40, -3, 24))))
    assert sum(f.geomType() == "CYLINDER" for f in part.Faces()) == 2 + 4  # the two holes' walls, the bend's halves
    flat = unfold(part, fixed(0.44))
    assert flat.size[1] == approx(analytic_length("L"), abs=1e-6)
    (bend,) = flat.bends
    assert (bend.start[0], bend.end[0]) == (approx(0.0, abs=1e-9), approx(50.0, abs=1e-9))
    (slot,) = [h for h in flat.holes if h.circle is None]
    (x0, y0), (x1, y1) = Flat(slot).bounds
    assert (x1 - x0, y1 - y0) == (approx(2.0, abs=1e-9), approx(allowance(90, 3.0, 0.44, 2.0), abs=1e-9))
    assert ((x0 + x1) / 2, (y0 + y1) / 2) == (approx(25.0, abs=1e-9), approx(bend.start[1], abs=1e-9))


def test_flat_plate_unfolds_to_its_profile():
    plate = only_solid(cq.Workplane("XY").box(60, 40, 2).faces(">Z").workplane().hole(8))
    flat = unfold(plate, fixed(0.44))
    assert sorted(flat.size) == approx([40.0, 60.0], abs=1e-9)
    assert (flat.bends, flat.thickness_mm, len(flat.holes)) == ((), approx(2.0), 1)


# ---------------------------------------------------------------------------------
# The example's bracket and NIST CTC-03


def test_example_bracket_flat_length_by_hand():
    """DL2-301 (models/bracket.py, steel DC01): thickness 2, bend_radius 2, flange_a 30 and
    flange_b 35 outside, width 24. Straight flanges: 30 - (t + R) = 26 and 35 - (t + R) = 31.
    DC01 is a medium material and R = t, so K = 0.43 (air-bending table);
    BA = π/2 (2 + 0.43 × 2) = 4.4925; flat length 26 + 31 + 4.4925 = 61.4925."""
    t, r, width = 2.0, 2.0, 24.0
    hand = (30 - (t + r)) + (35 - (t + r)) + math.pi / 2 * (r + 0.43 * t)
    material = builtin().material("steel DC01")
    flat = unfold(example("bracket"), lambda radius, thickness: k_factor(material.bend_class, radius, thickness))
    assert flat.size[0] == approx(width, abs=1e-9)
    assert flat.size[1] == approx(hand, abs=0.05)
    (bend,) = flat.bends
    assert (bend.angle_deg, bend.inside_radius_mm, bend.k_factor) == (approx(90.0), approx(2.0), 0.43)
    assert bend.k_source == "air bending, medium, t ≤ R ≤ 3t: 0.43 (Wikipedia 'Bending (metalworking)' table)"
    assert sorted(2 * h.circle[1] for h in flat.holes) == approx([5.5, 10.5])


@pytest.fixture(scope="module")
def ctc_03() -> cq.Solid:
    return stepfile.read(CTC_03, "", CTC_03.name, CTC_03.name)


def test_nist_ctc_03(ctc_03):
    """Reference §2.4: t 1.90754 mm (0.075 in), 7 bends (six 90°, one 45°, R 6.35 = 0.25 in) → one
    outline with 17 cut-outs, 624.59 × 404.29 mm at K 0.44; area × t within 0.055 % of the
    volume at K 0.5 (a bend spans 90.025° between flanges 90° apart)."""
    flat = unfold(ctc_03, fixed(0.44))
    assert flat.thickness_mm == approx(1.90754, abs=1e-5)
    assert len(flat.holes) == 17 and flat.engraving == ()
    assert sorted(flat.size) == approx([404.29, 624.59], abs=0.005)
    assert sorted(b.angle_deg for b in flat.bends) == approx([45.0] + [90.0] * 5 + [90.025], abs=1e-3)
    assert {round(b.inside_radius_mm, 6) for b in flat.bends} == {6.35}
    half = unfold(ctc_03, fixed(0.5))
    assert half.area * half.thickness_mm / ctc_03.Volume() - 1 == approx(5.5e-4, abs=0.5e-4)


# ---------------------------------------------------------------------------------
# Parts that cannot be unfolded


def rounded_cube(half: float, r: float) -> cq.Workplane:
    """The cube [-half, half]³ with its twelve edges rounded to r: three square prisms with
    rounded corners, intersected (the corners are where three cylinders meet, no sphere)."""
    out = None
    for plane, axis in (("XY", "Z"), ("YZ", "X"), ("XZ", "Y")):
        prism = cq.Workplane(plane).rect(2 * half, 2 * half).extrude(3 * half, both=True).edges(f"|{axis}").fillet(r)
        out = prism if out is None else out.intersect(prism)
    return out


def test_closed_box_corner_names_a_bend():
    """Three flanges round a corner, each pair joined by a bend: the sheet closes on itself."""
    t, r, half = 2.0, 3.0, 20.0
    shell = rounded_cube(half, r + t).cut(rounded_cube(half - t, r))
    corner = only_solid(shell.intersect(cq.Workplane().box(half + 1, half + 1, half + 1, centered=False)))
    with pytest.raises(UnfoldError, match=r"^bend 3 \(faces (\d+) and (\d+)\) closes the sheet on itself") as info:
        unfold(corner, fixed(0.44))
    cylinders = {i for i, f in enumerate(corner.Faces(), 1) if f.geomType() == "CYLINDER"}
    named = {int(n) for n in info.value.args[0].split("(faces ")[1].split(")")[0].split(" and ")}
    assert named <= cylinders and len(named) == 2


def conical_bend(t: float = 2.0, alpha_deg: float = 10.0, sweep_deg: float = 90.0, flange: float = 30.0) -> cq.Solid:
    """Two flanges joined by a conical bend. The inside is a cone of half-angle alpha about an
    axis through the origin tilted from +Y toward +Z: it touches the plane z = 0 along the Y
    axis, where flange 1 (z = -t..0) runs off toward +X; flange 2 is flange 1 mirrored toward
    -X and turned sweep_deg about the cone's axis. The outside is the cone t further out."""
    a = math.radians(alpha_deg)
    axis = cq.Vector(0, math.cos(a), math.sin(a))
    back = t / math.sin(a)  # the outside cone's apex lies this far back along the axis
    s0, s1, big = 5.0, 120.0, 400.0
    inner = cq.Solid.makeCone(s0 * math.tan(a), s1 * math.tan(a), s1 - s0, axis * s0, axis)
    outer = cq.Solid.makeCone((s0 + back) * math.tan(a), (s1 + back) * math.tan(a), s1 - s0, axis * s0, axis)
    start = cq.Workplane().box(big, big, big).translate((-big / 2, 0, 0))
    end = cq.Workplane().box(big, big, big).translate((big / 2, 0, 0)).rotate((0, 0, 0), axis.toTuple(), sweep_deg)
    bend = cq.Workplane().add(outer).cut(cq.Workplane().add(inner)).intersect(start).intersect(end)
    one = cq.Workplane().box(flange, big, t, centered=False).translate((0, -big / 2, -t))
    two = cq.Workplane().box(flange, big, t, centered=False).translate((-flange, -big / 2, -t)).rotate((0, 0, 0), axis.toTuple(), sweep_deg)
    width = cq.Workplane().box(big, 30, big).translate((0, 45, 0))
    return only_solid(bend.union(one).union(two).intersect(width))


def test_conical_bend_is_named():
    part = conical_bend()
    cones = [i for i, f in enumerate(part.Faces(), 1) if f.geomType() == "CONE"]
    with pytest.raises(UnfoldError, match=r"^bend 1 \(face (\d+) \(cone\), joining face \d+ \(plane\) and face \d+ \(plane\)\) is not a cylinder") as info:
        unfold(part, fixed(0.44))
    assert int(info.value.args[0].split("(face ")[1].split(" ")[0]) in cones


def crossed_flanges(t: float = 2.0, r: float = 2.0, w: float = 40.0, height: float = 20.0, wider: float = 25.0) -> cq.Solid:
    """A w × w base with a flange bent up along x = w and one bent down along y = w, each
    widened past the base's corner by `wider`: apart in space, they overlap once unfolded."""
    s = math.sqrt(0.5)

    def section(plane: str, up: bool) -> cq.Workplane:
        wp = cq.Workplane(plane).moveTo(0, 0).lineTo(w, 0)
        if up:  # inside on top: centre (w, t + r)
            c = t + r
            wp = (wp.threePointArc((w + (r + t) * s, c - (r + t) * s), (w + r + t, c)).lineTo(w + r + t, c + height)
                  .lineTo(w + r, c + height).lineTo(w + r, c).threePointArc((w + r * s, c - r * s), (w, t)))
        else:  # inside below: centre (w, -r)
            wp = (wp.threePointArc((w + r * s, -r + r * s), (w + r, -r)).lineTo(w + r, -r - height)
                  .lineTo(w + r + t, -r - height).lineTo(w + r + t, -r).threePointArc((w + (r + t) * s, -r + (r + t) * s), (w, t)))
        return wp.lineTo(0, t).close()

    up = section("XZ", True).extrude(-w)  # the XZ workplane's normal is -Y
    up_wider = cq.Workplane().box(t, wider, height, centered=False).translate((w + r, w, t + r))
    down = section("YZ", False).extrude(w)
    down_wider = cq.Workplane().box(wider, t, height, centered=False).translate((w, w + r, -r - height))
    return only_solid(up.union(up_wider).union(down).union(down_wider))


def test_overlapping_flanges_name_their_faces():
    part = crossed_flanges()
    with pytest.raises(UnfoldError, match=r"^the flat pattern overlaps itself: face \d+ \(plane, after bend 1\) and face \d+ "
                                          r"\(plane, after bend 2\) overlap by 400 mm²"):
        unfold(part, fixed(0.44))


def test_bend_split_in_two_faces_is_named():
    """An L whose 90° bend is two 45° faces on one axis."""
    split = bent([40, 0, 30], [45, 45], 2.0, 3.0, 50.0, clean=False)
    assert sum(f.geomType() == "CYLINDER" for f in split.Faces()) == 4
    with pytest.raises(UnfoldError, match=r"^bend 1 \(face \d+ \(cylinder\)\) runs into face \d+ \(cylinder\) with no flat between them"):
        unfold(split, fixed(0.44))


def test_flange_thicker_than_the_bend_is_named(parts):
    """The L's second flange made 3 mm thick (1 mm added outside): not one thickness."""
    thick = only_solid(cq.Workplane().add(parts["L"]).union(cq.Workplane().box(1, 30, 50, centered=False).translate((45, 3, 0))))
    with pytest.raises(UnfoldError, match=r"^face \d+ \(plane, after bend 1\) is 3 mm from the sheet's other side \(face \d+\), the sheet 2 mm thick: the thickness is not uniform"):
        unfold(thick, fixed(0.44))


def test_flange_at_a_sharp_edge_is_named():
    """An L of two plates meeting at a sharp corner: the flange beyond it is left out, so the
    part does not unfold (rather than unfolding to its base alone)."""
    sharp = only_solid(cq.Workplane().box(40, 50, 2, centered=False).union(cq.Workplane().box(2, 50, 30, centered=False)))
    flange = next(i for i, f in enumerate(sharp.Faces(), 1) if f.geomType() == "PLANE" and f.Area() == approx(30 * 50))
    with pytest.raises(UnfoldError, match=rf"^face {flange} \(plane\) is sheet but not joined to the unfolded side"):
        unfold(sharp, fixed(0.44))
