from bot.messages import (
    Button,
    CheckIn,
    Intro,
    Notice,
    PersonLine,
    RoundAnnouncement,
    ShoutOut,
    StatsReport,
    Style,
    ToChannel,
    ToGroup,
    ToUser,
    dump,
    load_destination,
    load_message,
)


def test_every_message_kind_survives_the_outbox_round_trip() -> None:
    button = Button("jb:meetup:1:met", "We met ✅", Style.PRIMARY)
    samples = [
        RoundAnnouncement("t", "x", (("U1", "U2"),), ("<@U1> × <@U2>",), "f"),
        Intro(1, "t", "x", (PersonLine("U1", "Sales"),), ("r",), "i", "w", (button,)),
        CheckIn(1, "x", (button,)),
        ShoutOut("t", "x", ("U1",), "U2", ("teamwork",)),
        Notice("x", (button,)),
        StatsReport("t", "x", (("a", "b"),)),
    ]
    for message in samples:
        assert load_message(dump(message)) == message
    for destination in (ToChannel("C1"), ToGroup(3, ("U1", "U2"), "C1", "t"), ToUser("U1")):
        assert load_destination(dump(destination)) == destination
