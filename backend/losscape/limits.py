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
# Live-channel requests this small run on the event loop instead of hopping to a thread: the
# hop costs ~0.2 ms of CPU, more than the work (a page's 4 x 300-step drag is ~0.1 ms of kernel).
# Bounded so that an inline request holds the loop for about a millisecond at most.
INLINE_MAX_STEPS = 4_000  # runs x steps on a catalogue surface
INLINE_MAX_STEPS_EXPRESSION = 1_000  # runs x steps on a typed formula (interpreted, ~5x slower)
INLINE_MAX_GRID_VALUES = 250 * 250  # contour values on a catalogue surface
# Encoded small answers kept per worker for identical requests (a class on one scene).
ANSWER_CACHE_BYTES = 8 * 2**20
ANSWER_CACHE_ENTRIES = 256
# Optimizer-state numbers in one trajectories response (runs x kept points x 2 axes x at most
# 7 named quantities): 16 runs of 2,000 steps fit; longer runs send fewer ``points``.
MAX_STATE_VALUES = 1_000_000
MAX_STATE_QUANTITIES = 7  # the most named quantities one optimizer has (Adam with amsgrad)

# The networks' limits (network_service and its schemas read them from here).
MAX_TRAIN_STEPS = 20_000
MAX_EPOCHS = 2_000
MAX_RECORDS = 1_000  # recorded evaluations per run
DEFAULT_RECORDS = 100  # records by default: each costs a pass over every point
MAX_HISTOGRAM_BINS = 60
# Records with hidden-activation statistics by default (first, last, evenly between: with the
# default 101 records every fifth one); at most one per record (MAX_RECORDS + 1).
DEFAULT_HISTOGRAM_RECORDS = 21
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


# Classroom rooms (losscape.rooms): every room message and stored value is bounded.
MAX_ROOM_STATE_CHARS = 8_192  # a room's state: the page's URL hash
MAX_ROOM_MESSAGE_BYTES = 16_384  # one message on a room socket (state, follow, explore)
MAX_ROOM_IDLE_S = 4 * 3600  # a room with no teacher activity for this long expires
MAX_ROOM_JOINS_PER_MINUTE = 30  # joins with a wrong code per client address per worker
MAX_ROOM_CREATES_PER_MINUTE = 10  # rooms started per client address per worker
MAX_ROOM_CONTROLS = 64  # control messages waiting for one room socket (it is closed past this)
MAX_ROOM_LANES = 16  # result lanes a room keeps (latest frame of each)
MAX_ROOM_FRAME_BYTES = 8 << 20  # one published result frame
MAX_QUESTION_CHARS = 300
MAX_CHOICES = 8
MAX_CHOICE_CHARS = 80
MAX_ROOM_VOTES = 5_000  # answers to one question
