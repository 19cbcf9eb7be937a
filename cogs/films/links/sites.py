"""Which video a link names: a small table of the URL shapes of each video site.

A film's identity is (site, video id), whatever form of its link was pasted. Why a table of our own and not
the URL matchers of yt-dlp's extractors: measured on the 374 real links of 228 videos we test with,
yt-dlp (26 MB installed, about 2 ms a link to try its 1,750 extractors) recognises 129 of the 146 pairs of
forms of one video, and takes 2 of the 3 look-alike pairs of different videos for one (Bilibili `?p=4`
against `?p=1`, an X post's second clip against its first). Its ids also need our own rules on top (the
`av` and `BV` names of one Bilibili video, part pages, short links), and its matchers are internals that
change with every release. The table below is short, needs no network, and every shape in it is tested
against those real links.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from cogs.films.links.bilibili import av_to_bv

Query = list[tuple[str, str]]
Rule = Callable[[str, str, Query], str | None]


@dataclass(frozen=True)
class Identity:
    site: str
    video: str

    def __str__(self) -> str:
        return f"{self.site}:{self.video}"


def first(query: Query, name: str) -> str | None:
    """The first value of a parameter: `watch?v=A&v=B` names video A, never B."""
    return next((value for key, value in query if key == name), None)


def _match(path: str, *patterns: re.Pattern[str]) -> str | None:
    for pattern in patterns:
        found = pattern.match(path)
        if found:
            return found.group(1)
    return None


_YT_ID = r"([0-9A-Za-z_-]{11})"
_YT_PATH = re.compile(rf"^/(?:shorts|embed|live|v|e)/{_YT_ID}(?:[/?]|$)")
_YT_BARE = re.compile(rf"^/{_YT_ID}/?$")  # youtu.be/ID, and the invidious redirector


def youtube(host: str, path: str, query: Query) -> str | None:
    if host == "youtu.be" or host == "redirect.invidious.io":
        bare = _match(path, _YT_BARE)
        if bare:
            return bare
    if path.rstrip("/") in ("/watch", "/watch_popup"):
        video = first(query, "v")
        return video if video and re.fullmatch(_YT_ID, video) else None
    return _match(path, _YT_PATH)


_VIMEO = re.compile(r"^/(?:video/|channels/[^/]+/|groups/[^/]+/videos/|album/\d+/video/|showcase/\d+/video/)?"
                    r"(\d+)(?:/[0-9a-f]{6,})?/?$")  # an unlisted video's hash is a key, not another video


def vimeo(host: str, path: str, query: Query) -> str | None:
    if path == "/moogaloop.swf":
        clip = first(query, "clip_id")
        return clip if clip and clip.isdigit() else None
    return _match(path, _VIMEO)


_BILI_ID = r"(BV[0-9A-Za-z]{10}|av\d+)"
_BILI_VIDEO = re.compile(rf"^/video/{_BILI_ID}/?$", re.IGNORECASE)
_BILI_SHORT = re.compile(rf"^/{_BILI_ID}/?$", re.IGNORECASE)


def bilibili(host: str, path: str, query: Query) -> str | None:
    found = _match(path, _BILI_SHORT if host == "b23.tv" else _BILI_VIDEO) or first(query, "bvid")
    if not found:
        return None
    if found[:2].lower() == "av":
        bvid = av_to_bv(int(found[2:]))
        if bvid is None:
            return None
    elif re.fullmatch(r"[Bb][Vv][0-9A-Za-z]{10}", found):
        bvid = "BV" + found[2:]
    else:
        return None
    # `?p=N` is part N of a many-part video: part 1 is the video itself, any other part is a video of its own.
    part = first(query, "p") or "1"
    return f"{bvid}_p{int(part)}" if part.isdigit() and int(part) > 1 else bvid


_YOUKU = re.compile(r"^/(?:v_show/id_|video/id_|player\.php/sid/|embed/)([0-9A-Za-z]+?)(?:==)?(?:\.html|/v\.swf)?/?$")


def youku(host: str, path: str, query: Query) -> str | None:
    return _match(path, _YOUKU)


_DOUYIN = re.compile(r"^/(?:video|note|share/video|share/note)/(\d+)/?$")


def douyin(host: str, path: str, query: Query) -> str | None:
    modal = first(query, "modal_id")  # a video opened over a search or a profile page
    return _match(path, _DOUYIN) or (modal if modal and modal.isdigit() else None)


_TIKTOK = re.compile(r"^/(?:@[^/]*/video/|embed/(?:v2/)?|share/video/|v/)(\d+)(?:\.html)?/?$")


def tiktok(host: str, path: str, query: Query) -> str | None:
    return _match(path, _TIKTOK)


_KUAISHOU = re.compile(r"^/(?:short-video|fw/photo)/([0-9A-Za-z]+)/?$")


def kuaishou(host: str, path: str, query: Query) -> str | None:
    return _match(path, _KUAISHOU)


_XHS = re.compile(r"^/(?:explore|discovery/item|user/profile/[0-9a-f]+)/([0-9a-f]{24})/?$")


def xiaohongshu(host: str, path: str, query: Query) -> str | None:
    return _match(path, _XHS)


_IQIYI = re.compile(r"^/([vwa]_[0-9a-z]+\.html)$")
_IQ = re.compile(r"^/play/(?:[^/]*-)?([0-9a-z]{10,12})/?$")


def iqiyi(host: str, path: str, query: Query) -> str | None:
    return _match(path, _IQ if host == "iq.com" else _IQIYI)


_TENCENT = re.compile(r"^/x/(?:page|cover/[0-9a-z]+)/([0-9a-z]{11})\.html$")
_WETV = re.compile(r"^/(?:[a-z]{2}(?:-[a-z]{2})?/)?play/[^/]+/([0-9a-z]{11})(?:-[^/]*)?/?$")


def tencent(host: str, path: str, query: Query) -> str | None:
    if host == "wetv.vip":
        return _match(path, _WETV)
    vid = first(query, "vid")
    return _match(path, _TENCENT) or (vid if vid and re.fullmatch(r"[0-9a-z]{11}", vid) else None)


_INSTAGRAM = re.compile(r"^/(?:[^/]+/)?(?:p|reel|reels|tv)/([0-9A-Za-z_-]+)/?(?:embed/?)?$")


def instagram(host: str, path: str, query: Query) -> str | None:
    return _match(path, _INSTAGRAM)


_FB_ID = r"(\d+|pfbid[0-9A-Za-z]+)"
_FB_PATHS = (
    re.compile(rf"^/(?:[^/]+/)?videos/(?:[^/]+/)*?{_FB_ID}/?$"),
    re.compile(rf"^/(?:reel|watchparty|events)/{_FB_ID}/?$"),
    re.compile(rf"^/groups/[^/]+/(?:permalink|posts)/(?:[^/]+/)*?{_FB_ID}/?$"),
    re.compile(rf"^/[^/]+/posts/{_FB_ID}/?$"),
)
_FB_QUERY = {"/watch": "v", "/watch/live": "v", "/video.php": "v", "/permalink.php": "story_fbid",
             "/story.php": "story_fbid"}


def facebook(host: str, path: str, query: Query) -> str | None:
    # Facebook numbers every object (video, post, reel) in one space, so an id names one thing whatever its path.
    name = _FB_QUERY.get(path.rstrip("/"))
    if name:
        found = first(query, name)
        return found if found and re.fullmatch(_FB_ID, found) else None
    return _match(path, *_FB_PATHS)


_TWEET = re.compile(r"^/(?:[^/]+|i/web|i)/status/(\d+)(?:/(?:video|photo)/(\d+))?/?$")


def twitter(host: str, path: str, query: Query) -> str | None:
    found = _TWEET.match(path)
    if not found:
        return None
    # A post with several clips: /video/2 is another video than /video/1, which is the post itself.
    clip = int(found.group(2) or 1)
    return found.group(1) if clip <= 1 else f"{found.group(1)}_m{clip}"


# host (and its subdomains) -> (site, rule). Hosts are compared without "www.", "m." and the like.
SITES: dict[str, tuple[str, Rule]] = {
    "youtube.com": ("youtube", youtube), "youtu.be": ("youtube", youtube),
    "youtube-nocookie.com": ("youtube", youtube), "youtubekids.com": ("youtube", youtube),
    "invidio.us": ("youtube", youtube), "redirect.invidious.io": ("youtube", youtube),
    "vimeo.com": ("vimeo", vimeo),
    "bilibili.com": ("bilibili", bilibili), "b23.tv": ("bilibili", bilibili),
    "youku.com": ("youku", youku), "tudou.com": ("youku", youku),
    "douyin.com": ("douyin", douyin), "iesdouyin.com": ("douyin", douyin),
    "tiktok.com": ("tiktok", tiktok), "tiktokv.com": ("tiktok", tiktok),
    "kuaishou.com": ("kuaishou", kuaishou),
    "xiaohongshu.com": ("xiaohongshu", xiaohongshu),
    "iqiyi.com": ("iqiyi", iqiyi), "iq.com": ("iqiyi", iqiyi), "pps.tv": ("iqiyi", iqiyi),
    "v.qq.com": ("tencent", tencent), "wetv.vip": ("tencent", tencent),
    "instagram.com": ("instagram", instagram), "instagr.am": ("instagram", instagram),
    "facebook.com": ("facebook", facebook),
    "facebookwkhpilnemxj7asaniu7vnjjbiltxjqhye3mhbshg7kx5tfyd.onion": ("facebook", facebook),
    "twitter.com": ("twitter", twitter), "x.com": ("twitter", twitter),
    "twitter3e4tixl4xyajtrzo62zg5vztmjuricljdp2c5kshju4avyoid.onion": ("twitter", twitter),
}
# Short links that carry no id: only following their redirect tells the video (youtu.be carries its id).
SHORT_HOSTS = frozenset({"b23.tv", "bili2233.cn", "v.douyin.com", "vm.tiktok.com", "vt.tiktok.com",
                         "xhslink.com", "v.kuaishou.com", "fb.watch", "t.co"})


def site_of(host: str) -> tuple[str, str, Rule] | None:
    """(table host, site, rule) for a host or any of its subdomains."""
    labels = host.split(".")
    for start in range(len(labels) - 1):
        name = ".".join(labels[start:])
        if name in SITES:
            return (name, *SITES[name])
    return None


def is_short_link(host: str, path: str) -> bool:
    """A link whose video only its redirect tells: a short-link host, or TikTok's own `/t/` links."""
    bare = host.removeprefix("www.")
    return bare in SHORT_HOSTS or bare == "tiktok.com" and path.startswith("/t/")


def video_of(host: str, path: str, query: Query) -> Identity | None:
    """The video a link names, or None when the host is not a video site or the path names no video."""
    found = site_of(host)
    if found is None:
        return None
    name, site, rule = found
    video = rule(name, path, query)
    return Identity(site, video) if video else None
