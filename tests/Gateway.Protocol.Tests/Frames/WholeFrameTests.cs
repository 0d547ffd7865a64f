using System.Buffers;
using Gateway.Protocol.Frames;
using static Gateway.Protocol.Tests.Frames.WireAssert;

namespace Gateway.Protocol.Tests.Frames;

/// <summary>
/// The relay's shortcut for whole frames: the length peek that decides whether a frame is all there, and the span
/// overload of TryReadHeader that then decodes it.
/// </summary>
public class WholeFrameTests
{
    [Theory]
    [InlineData("", 0)]                                    // nothing yet
    [InlineData("81", 0)]                                  // one byte
    [InlineData("81 05 48 65 6c 6c", 0)]                   // one payload byte short
    [InlineData("81 05 48 65 6c 6c 6f", 7)]                // exactly one frame
    [InlineData("81 05 48 65 6c 6c 6f 81", 7)]             // and the start of the next
    [InlineData("81 85 37 fa 21 3d 7f 9f 4d 51 58", 11)]   // masked: the key counts
    [InlineData("81 85 37 fa 21", 0)]                      // the key not all there
    [InlineData("02 00", 2)]                               // an empty non-final frame
    [InlineData("80 00", 2)]                               // an empty continuation
    [InlineData("89 00", 0)]                               // Ping: control frames take the general way
    [InlineData("88 02 03 e8", 0)]                         // Close
    [InlineData("8b 00", 0)]                               // a reserved control opcode
    [InlineData("82 7e 00", 0)]                            // the 16-bit length not all there
    [InlineData("82 7f 80 00 00 00 00 00 00 00", 0)]       // a 64-bit length with the top bit set
    [InlineData("82 7f 00 00 00 01 00 00 00 00", 0)]       // 4 GiB announced
    public void The_length_of_a_whole_data_frame_at_the_start_or_zero(string hex, int expected) =>
        Assert.Equal(expected, FrameDecoder.WholeDataFrameLength(Hex(hex)));

    [Fact]
    public void Sixteen_and_64_bit_lengths_count_their_extended_bytes()
    {
        byte[] sixteen = [.. Hex("82 7e 01 00"), .. new byte[256]];
        byte[] sixtyFour = [.. Hex("82 7f 00 00 00 00 00 01 00 00"), .. new byte[65536]];

        Assert.Equal(4 + 256, FrameDecoder.WholeDataFrameLength(sixteen));
        Assert.Equal(0, FrameDecoder.WholeDataFrameLength(sixteen.AsSpan(0, sixteen.Length - 1)));
        Assert.Equal(10 + 65536, FrameDecoder.WholeDataFrameLength(sixtyFour));
    }

    [Fact]
    public void The_span_overload_reads_what_the_sequence_one_reads_and_keeps_the_same_state()
    {
        var fromSpan = new FrameDecoder(Role.Server, FrameLimits.Default);
        var fromSequence = new FrameDecoder(Role.Server, FrameLimits.Default);
        byte[] wire = Hex("01 83 01 02 03 04 49 67 6c"); // a masked non-final text frame, "Heo" masked

        var spanStatus = fromSpan.TryReadHeader(wire, out FrameHeader spanHeader, out var spanError);
        var sequenceStatus = fromSequence.TryReadHeader(new ReadOnlySequence<byte>(wire), out FrameHeader sequenceHeader,
            out _, out _, out var sequenceError);

        Assert.Equal((DecodeStatus.Done, (ProtocolError?)null), (spanStatus, spanError));
        Assert.Equal((sequenceStatus, sequenceError), (spanStatus, spanError));
        Assert.Equal(sequenceHeader.ToString(), spanHeader.ToString());
        Assert.Equal(6, spanHeader.HeaderLength);
        Assert.True(fromSpan.InTextMessage);

        // Both now expect the text frame's end first, then a continuation: a new Text is a violation in each.
        Assert.Null(fromSpan.ValidatePayload("Heo"u8, endOfFrame: true));
        var next = Hex("81 80 01 02 03 04");
        Assert.Equal(DecodeStatus.Error, fromSpan.TryReadHeader(next, out _, out var violation));
        Assert.NotNull(violation);
        Assert.Equal(DecodeStatus.Error, fromSpan.TryReadHeader(Hex("80 80 01 02 03 04"), out _, out var sticky));
        Assert.Same(violation, sticky); // errors are sticky, as in the sequence overload
    }

    [Fact]
    public void The_span_overload_asks_for_more_without_changing_state()
    {
        var decoder = new FrameDecoder(Role.Server, FrameLimits.Default);

        Assert.Equal(DecodeStatus.NeedMoreData, decoder.TryReadHeader(Hex("81 85 37 fa"), out _, out var error));
        Assert.Null(error);
        Assert.False(decoder.InTextMessage);
        Assert.Equal(DecodeStatus.Done, decoder.TryReadHeader(Hex("81 85 37 fa 21 3d"), out var header, out _));
        Assert.Equal((Opcode.Text, 5L), (header.Opcode, header.PayloadLength));
    }

    [Theory]
    [InlineData("81 85 37 fa 21 3d 7f 9f 4d 51 58", DecodeStatus.Done)]          // a whole masked text frame
    [InlineData("81 85 37 fa 21 3d 7f 9f 4d 51", DecodeStatus.NeedMoreData)]     // one payload byte short
    [InlineData("81 85 37 fa", DecodeStatus.NeedMoreData)]                       // the key not all there
    [InlineData("89 80 37 fa 21 3d", DecodeStatus.NeedMoreData)]                 // a whole Ping: not a data frame
    [InlineData("c1 80 37 fa 21 3d", DecodeStatus.Error)]                        // RSV1 without an extension
    [InlineData("81 05 48 65 6c 6c 6f", DecodeStatus.Error)]                     // unmasked from a client
    public void Whole_data_frames_are_read_others_left_as_they_were_and_bad_headers_reported(string hex, DecodeStatus expected)
    {
        var decoder = new FrameDecoder(Role.Server, FrameLimits.Default);

        var status = decoder.TryReadWholeDataFrame(Hex(hex), out var header, out var error);

        Assert.Equal(expected, status);
        Assert.Equal(expected == DecodeStatus.Error, error is not null);
        Assert.Equal(expected == DecodeStatus.Done, decoder.InTextMessage);
        if (expected == DecodeStatus.Done)
        {
            Assert.Equal((Opcode.Text, 5L, 6), (header.Opcode, header.PayloadLength, header.HeaderLength));
        }
        else if (expected == DecodeStatus.NeedMoreData)
        {
            // Nothing was committed: the general path reads the same bytes from the start.
            var again = decoder.TryReadHeader(Hex(hex), out var general, out _);
            Assert.Equal(Hex(hex).Length >= 6 ? DecodeStatus.Done : DecodeStatus.NeedMoreData, again);
            Assert.Equal(Hex(hex)[0] == 0x89, general.Opcode == Opcode.Ping);
        }
        else
        {
            Assert.Equal(DecodeStatus.Error, decoder.TryReadHeader(Hex("81 80 37 fa 21 3d"), out _, out var sticky));
            Assert.Same(error, sticky);
        }
    }

    [Fact]
    public void A_whole_non_final_text_frame_leaves_the_message_open_for_its_continuation()
    {
        var decoder = new FrameDecoder(Role.Server, FrameLimits.Default);

        Assert.Equal(DecodeStatus.Done, decoder.TryReadWholeDataFrame(Hex("01 83 01 02 03 04 49 67 6c"), out _, out _));
        Assert.Null(decoder.ValidatePayload("Heo"u8, endOfFrame: true));

        Assert.Equal(DecodeStatus.Error, decoder.TryReadWholeDataFrame(Hex("81 80 01 02 03 04"), out _, out var error));
        Assert.NotNull(error); // a new Text frame where a continuation must come
    }
}
