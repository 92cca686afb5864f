"""Every size the project accepts, in one place (service, API and catalog read it)."""

from __future__ import annotations

MAX_STEPS = 20_000  # one trajectory
MAX_RUNS = 16  # runs in one trajectories request
MAX_GRID = 600  # contour resolution per axis
MAX_ARROWS = 60  # gradient arrows per axis
MAX_LR_COUNT = 2_000  # learning rates in one sweep
MAX_BASIN_RESOLUTION = 512  # starts per axis in a basin map
MAX_MAP_SIDE = 200  # lr or momentum values per axis in an (lr x momentum) map
MAX_SWEEP_WORK = 60_000_000  # runs x steps in one sweep (about a second serial)
MAX_CURVE_VALUES = 2_000_000  # runs x (steps + 1) loss values returned by a sweep
MAX_NOISE = 1e3
MAX_BATCH_SIZE = 1_000_000
MAX_SEED = 2**31 - 1
MAX_COORDINATE = 1e6  # starts, points and view boxes
MAX_PATH_POINTS = 20_001  # points per drawn path (a request's ``points`` decimates to fewer)

# The networks' limits (network_service and its schemas read them from here).
MAX_TRAIN_STEPS = 20_000
MAX_EPOCHS = 2_000
MAX_RECORDS = 1_000  # recorded evaluations per run
MAX_HISTOGRAM_BINS = 60
MAX_SNAPSHOT_VALUES = 2_000_000  # records x parameters kept as weight snapshots
JSON_SNAPSHOT_VALUES = 100_000  # of which to_dict() sends at most this many
MAX_TRAIN_WORK = 6e9  # multiply-adds of one training run (about a second)
MAX_LANDSCAPE_RESOLUTION = 121
MAX_LANDSCAPE_RUNS = 6
MAX_LANDSCAPE_WORK = 4e9  # multiply-adds of one slice's grid
MAX_GRADCHECK_PARAMS = 400  # parameters checked by finite differences
MAX_NOISE_DRAWS = 2_000
MAX_NOISE_SIZES = 24
MAX_STUDY_SIZES = 24
MAX_STUDY_LRS = 12
MAX_STUDY_WORK = 2e10
MAX_BOUNDARY_RESOLUTION = 200
MAX_CURVE_POINTS = 1_001
MAX_INIT_SCALE = 100.0
MAX_RELU_RANGE = 1e3

# The web server's limits (the API and the live channel read them from here).
MAX_BODY_BYTES = 1 << 20  # request bodies and live-channel messages
MAX_LANES = 8  # lanes per live connection: the page needs about five
MAX_TAG_LENGTH = 256  # a live request's id
MAX_LANE_LENGTH = 64
MAX_HEAVY_WAITING = 16  # class-wide: heavy jobs (sweeps, networks) waiting for the heavy pool
MAX_HEAVY_PER_CLIENT = 1  # heavy jobs of one REST client at a time (the live channel queues)
MAX_REST_RATE = 50.0  # REST requests per second per client (token bucket refill)
MAX_REST_BURST = 100  # REST requests per client in a burst
MAX_SEND_FRAMES = 4  # frames waiting to be written to one socket; older results give way
MAX_SEND_STALL_S = 10.0  # a socket that takes this long to drain is closed
MAX_HEADER_BYTES = 16 * 1024  # all request headers together
MAX_HEADERS = 100  # request header lines
MAX_HEADER_WAIT_S = 10.0  # a connection must send its request headers within this time
MAX_CONNECTIONS = 1_000  # per worker (a 1,024 file limit keeps room for the rest)
MAX_SHUTDOWN_S = 5  # graceful shutdown: open requests get this long, then are cut
MAX_CHUNK_S = 0.05  # a chunked job checks for cancellation at least this often


# Saved scenes and lectures (losscape.lectures; the SQLite store refuses anything larger).
MAX_TITLE_LENGTH = 120  # a saved scene's or a lecture's title
MAX_CAPTION_LENGTH = 2_000  # a saved scene's caption
MAX_SCENE_STATE_BYTES = 16 * 1024  # one saved scene's page state, as compact JSON
MAX_LECTURE_SCENES = 100  # scene refs in one lecture
MAX_IMPORT_SCENES = 100  # saved scenes carried by one exported lecture document
MAX_SAVED_SCENES = 50_000  # rows in the store (a full store refuses new scenes: 507)
MAX_LECTURES = 10_000  # rows in the store


def as_dict() -> dict[str, float | int]:
    """The limits as a JSON-ready dict for the catalog."""
    return {k.lower(): v for k, v in globals().items() if k.startswith("MAX_")}
