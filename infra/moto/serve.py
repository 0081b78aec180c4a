"""The local AWS emulator (moto), answering one request at a time.

moto checks a transaction's conditions and then applies its writes with
no lock, and rolls a failed transaction back by restoring a copy of the
whole table taken when it began. Under concurrent requests two
conditional transactions can therefore both succeed, and a rollback can
erase another request's committed writes: DynamoDB does neither
(transactions are serializable). Holding one lock around each request
restores that guarantee; moto runs under the GIL anyway, so it costs
little throughput. Sockets are still served by one thread per
connection, so a client's keep-alive connection never blocks another's.

Same arguments as `moto_server` (-H host -p port ...).
"""

import threading

from moto import server
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_lock = threading.Lock()
_dispatch = DomainDispatcherApplication.__call__


def _one_at_a_time(self, environ, start_response):
    with _lock:
        # The body is produced under the lock too: moto may compute it lazily.
        return list(_dispatch(self, environ, start_response))


DomainDispatcherApplication.__call__ = _one_at_a_time

if __name__ == "__main__":
    server.main()
