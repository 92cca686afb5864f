"""Classroom rooms: the teacher's page drives, the students' pages follow.

``model`` (codes, tokens, validated messages), ``broker`` (the interface and the
in-process broker), ``broker_redis`` (rooms shared by workers and hosts through
Redis), ``hub`` (one worker's sockets and fan-out) and ``routes`` (the REST and
WebSocket endpoints ``api.app`` mounts).
"""
