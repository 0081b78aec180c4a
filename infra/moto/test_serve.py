"""serve.py makes moto's transactions serializable: of many concurrent
transactions conditioned on the same item's version, exactly one wins,
and the losers' rollbacks keep the winner's writes."""

import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import boto3
import pytest

RACERS = 30
ROUNDS = 5


def client(url):
    return boto3.client(
        "dynamodb",
        endpoint_url=url,
        region_name="eu-west-3",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture(scope="module")
def moto_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    serve = Path(__file__).with_name("serve.py")
    process = subprocess.Popen(
        [sys.executable, str(serve), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert time.monotonic() < deadline, "moto did not start"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait()


def test_one_of_many_conditional_transactions_wins(moto_url):
    ddb = client(moto_url)
    table = "race-" + uuid.uuid4().hex
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    # Bulk makes moto's whole-table rollback copy slow, widening the window.
    for n in range(200):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"filler-{n}"}, "x": {"S": "x" * 200}})
    clients = [client(moto_url) for _ in range(RACERS)]
    for round_ in range(ROUNDS):
        link = f"link-{round_}"
        ddb.put_item(TableName=table, Item={"pk": {"S": link}, "version": {"N": "0"}})
        winners = []
        start = threading.Barrier(RACERS)

        def accept(n):
            start.wait()
            try:
                clients[n].transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": table,
                                "Item": {"pk": {"S": link}, "version": {"N": "1"}},
                                "ConditionExpression": "version = :read",
                                "ExpressionAttributeValues": {":read": {"N": "0"}},
                            }
                        },
                        {"Put": {"TableName": table, "Item": {"pk": {"S": f"{link}-user"}, "winner": {"N": str(n)}}}},
                    ]
                )
                winners.append(n)
            except clients[n].exceptions.TransactionCanceledException:
                pass

        threads = [threading.Thread(target=accept, args=(n,)) for n in range(RACERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(winners) == 1, f"round {round_}: {len(winners)} winners"
        kept = ddb.get_item(TableName=table, Key={"pk": {"S": f"{link}-user"}}, ConsistentRead=True)
        assert kept["Item"]["winner"]["N"] == str(winners[0])
        stored = ddb.get_item(TableName=table, Key={"pk": {"S": link}}, ConsistentRead=True)
        assert stored["Item"]["version"]["N"] == "1"
