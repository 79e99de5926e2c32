"""Photos in PostgreSQL (migration 0016): the bytes once per content in photo, a site's photos in site_photo.

A site's photo follows the site's review: one added by district staff is pending with their change, a planner's is
approved at once; approving the site's submission approves its pending photos, rejecting it rejects them
(settle). Who may add, delete or see one is decided by geo.site_photos; this module only reads and writes.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from geo.photos import ProcessedPhoto

# How far from its site a photo may have been taken before the review flags it (metres).
FAR_FROM_SITE_M = 200
# A site's photo as every answer lists it (FROM site_photo p JOIN photo b), its URLs under :photo_base (the web's
# /photos/): no position, no uploader (the review reads those separately).
PHOTO_JSON = """json_build_object(
    'id', p.id, 'url', :photo_base || p.sha256 || '.jpg', 'thumbnail_url', :photo_base || p.sha256 || '/thumbnail.jpg',
    'moderation', p.moderation, 'taken_at', to_char(p.taken_at, 'YYYY-MM-DD"T"HH24:MI:SS'),
    'created_at', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'width', b.width, 'height', b.height)"""
# A site's photos (FROM site s) as a JSON array, oldest first: approved ones, and pending ones too where the bound
# :pending_photos is true. The site's answers (geo.sites.published_site) carry it as their photos.
PHOTOS_OF_SITE = f"""(SELECT coalesce(json_agg({PHOTO_JSON} ORDER BY p.id), '[]'::json)
    FROM site_photo p JOIN photo b ON b.sha256 = p.sha256
    WHERE p.site_id = s.id AND (p.moderation = 'approved' OR (:pending_photos AND p.moderation = 'pending')))"""


def store(session: Session, site_id: int, photo: ProcessedPhoto, *, by: int, approved: bool,
          site_lon: float, site_lat: float, photo_base: str) -> dict[str, Any]:
    """Keep a processed photo of a site (its bytes once per content), in the caller's transaction; returns its
    listed row. The same photo sent twice to one site is kept once. The distance is to the site's position as
    the change under review puts it (site_lon, site_lat)."""
    session.execute(text("""
        INSERT INTO photo (sha256, media_type, image, thumbnail, width, height)
        VALUES (:sha256, :media_type, :image, :thumbnail, :width, :height) ON CONFLICT (sha256) DO NOTHING"""),
        {"sha256": photo.sha256, "media_type": photo.media_type, "image": photo.image,
         "thumbnail": photo.thumbnail, "width": photo.width, "height": photo.height})
    session.execute(text("""
        INSERT INTO site_photo (site_id, sha256, taken_at, taken_geom, distance_m, original_bytes, uploaded_by,
                                moderation, reviewed_by, reviewed_at)
        SELECT :site_id, :sha256, :taken_at, t.geom,
               ST_Distance(t.geom::geography, ST_SetSRID(ST_MakePoint(:site_lon, :site_lat), 4326)::geography),
               :original_bytes, :by, CASE WHEN :approved THEN 'approved' ELSE 'pending' END,
               CASE WHEN :approved THEN :by END, CASE WHEN :approved THEN now() END
        FROM (SELECT CASE WHEN CAST(:lon AS double precision) IS NOT NULL
                          THEN ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END AS geom) t
        ON CONFLICT (site_id, sha256) DO NOTHING"""),
        {"site_id": site_id, "sha256": photo.sha256, "taken_at": photo.taken_at, "lon": photo.lon, "lat": photo.lat,
         "site_lon": site_lon, "site_lat": site_lat, "original_bytes": photo.original_bytes, "by": by,
         "approved": approved})
    return session.execute(text(f"""
        SELECT {PHOTO_JSON} FROM site_photo p JOIN photo b ON b.sha256 = p.sha256
        WHERE p.site_id = :site_id AND p.sha256 = :sha256"""),  # noqa: S608 - fixed SQL
        {"site_id": site_id, "sha256": photo.sha256, "photo_base": photo_base}).scalar_one()


def site_photos(session: Session, site_id: int, photo_base: str, *, pending: bool) -> list[dict[str, Any]]:
    """A site's approved photos (and its pending ones with pending=True) as its answers list them, oldest first."""
    return session.execute(text(f"SELECT {PHOTOS_OF_SITE} FROM site s WHERE s.id = :id"),  # noqa: S608
                           {"id": site_id, "photo_base": photo_base, "pending_photos": pending}).scalar() or []


def pending_for_review(session: Session, site_ids: list[int], photo_base: str) -> dict[int, list[dict[str, Any]]]:
    """The pending photos of the sites in the review queue, with how far from the site each was taken and
    whether that is more than FAR_FROM_SITE_M."""
    rows = session.execute(text(f"""
        SELECT p.site_id, {PHOTO_JSON} AS photo, round(p.distance_m)::integer AS distance_m,
               coalesce(p.distance_m > :far, false) AS far, u.username AS uploaded_by
        FROM site_photo p JOIN photo b ON b.sha256 = p.sha256 LEFT JOIN app_user u ON u.id = p.uploaded_by
        WHERE p.site_id = ANY(:ids) AND p.moderation = 'pending'
        ORDER BY p.site_id, p.id"""), {"ids": site_ids, "far": FAR_FROM_SITE_M, "photo_base": photo_base})  # noqa: S608 - fixed SQL
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows.mappings():
        found.setdefault(row["site_id"], []).append(dict(row))
    return found


def has_pending(session: Session, site_id: int) -> bool:
    """Whether a site has photos waiting for a planner."""
    return session.execute(text("SELECT EXISTS (SELECT FROM site_photo WHERE site_id = :id AND moderation = "
                                "'pending')"), {"id": site_id}).scalar_one()


def settle(session: Session, site_id: int, *, approve: bool, by: int) -> int:
    """Approve or reject a site's pending photos with its review; returns how many."""
    return session.execute(text("""
        UPDATE site_photo SET moderation = :state, reviewed_by = :by, reviewed_at = now()
        WHERE site_id = :id AND moderation = 'pending'"""),
        {"state": "approved" if approve else "rejected", "by": by, "id": site_id}).rowcount


def exists(session: Session, site_id: int, photo_id: int) -> bool:
    """Whether a site has that photo."""
    return session.execute(text("SELECT EXISTS (SELECT FROM site_photo WHERE site_id = :site_id AND id = :id)"),
                           {"site_id": site_id, "id": photo_id}).scalar_one()


def photo_ids(session: Session, site_id: int) -> set[int]:
    """The numbers of every photo of a site, whatever its review state."""
    return set(session.execute(text("SELECT id FROM site_photo WHERE site_id = :id"), {"id": site_id}).scalars())


def remove(session: Session, photo_id: int) -> None:
    """Delete a site's photo, and its bytes when no site shows them any more."""
    sha256 = session.execute(text("DELETE FROM site_photo WHERE id = :id RETURNING sha256"),
                             {"id": photo_id}).scalar_one()
    session.execute(text("""DELETE FROM photo WHERE sha256 = :sha256
                            AND NOT EXISTS (SELECT FROM site_photo WHERE sha256 = :sha256)"""), {"sha256": sha256})


def content(session: Session, sha256: str, *, thumbnail: bool) -> dict[str, Any] | None:
    """A photo's bytes (or its thumbnail's) with whether anyone may see it (approved on a published site) and the
    sites that show it (their areas, for staff); None if there is no such photo."""
    row = session.execute(text(f"""
        SELECT b.{'thumbnail' if thumbnail else 'image'} AS body, b.media_type,
               coalesce(bool_or(p.moderation = 'approved' AND scp_published(s.moderation, s.deleted_at)), false)
                   AS public,
               coalesce(json_agg(json_build_object('district_code', s.district_code, 'commune_code', s.commune_code))
                        FILTER (WHERE s.id IS NOT NULL), '[]') AS sites
        FROM photo b LEFT JOIN site_photo p ON p.sha256 = b.sha256 LEFT JOIN site s ON s.id = p.site_id
        WHERE b.sha256 = :sha256 GROUP BY b.sha256"""), {"sha256": sha256}).mappings().one_or_none()  # noqa: S608
    return None if row is None else dict(row)


def counts(session: Session | Connection) -> dict[str, int]:
    """How many photos the sites have, how many distinct images hold them, and their bytes in the database."""
    row = session.execute(text("""
        SELECT (SELECT count(*) FROM site_photo) AS site_photos, (SELECT count(*) FROM photo) AS images,
               pg_total_relation_size('photo') + pg_total_relation_size('site_photo') AS bytes""")).mappings().one()
    return dict(row)
