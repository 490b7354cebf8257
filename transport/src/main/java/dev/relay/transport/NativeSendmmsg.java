package dev.relay.transport;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sendmmsg(2) on a Netty epoll UDP socket from a thread that is not its event loop: the one
 * place that reaches into Netty's native transport, whose packet descriptors and native call are
 * not public API. The handles are resolved once; if the Netty version on the classpath does not
 * have them, {@link #AVAILABLE} is false and every socket keeps its egress ring
 * (docs/architecture.md "Threads and hand-offs"). The root pom pins the Netty version this was
 * written against.
 *
 * <p>Per call, the native side reads each descriptor's iovec pointer and count, and its
 * recipient (a 16-byte IPv6 or IPv4-mapped address, scope id and port); nothing here allocates.
 */
final class NativeSendmmsg {
    private static final Logger LOG = LoggerFactory.getLogger(NativeSendmmsg.class);
    private static final String ARRAY = "io.netty.channel.epoll.NativeDatagramPacketArray";
    private static final String PACKET = ARRAY + "$NativeDatagramPacket";
    private static final String NATIVE = "io.netty.channel.epoll.Native";
    /** Netty's descriptors hold a 16-byte recipient: IPv6, or IPv4-mapped (RFC 4291 §2.5.5.2). */
    static final int ADDRESS_BYTES = 16;

    static final boolean AVAILABLE;
    private static final Class<?> PACKET_CLASS;
    private static final Object OUTER;
    private static final MethodHandle NEW_PACKET;
    private static final MethodHandle SENDMMSG;
    private static final MethodHandle RECIPIENT_ADDR;
    private static final MethodHandle SET_MEMORY_ADDRESS;
    private static final MethodHandle SET_COUNT;
    private static final MethodHandle SET_SEGMENT_SIZE;
    private static final MethodHandle SET_RECIPIENT_ADDR_LEN;
    private static final MethodHandle SET_RECIPIENT_SCOPE_ID;
    private static final MethodHandle SET_RECIPIENT_PORT;
    private static final MethodHandle SOCKET_IPV6;

    static {
        boolean available = false;
        Class<?> packetClass = null;
        Object outer = null;
        MethodHandle newPacket = null;
        MethodHandle sendmmsg = null;
        MethodHandle recipientAddr = null;
        MethodHandle memoryAddress = null;
        MethodHandle count = null;
        MethodHandle segmentSize = null;
        MethodHandle addrLen = null;
        MethodHandle scopeId = null;
        MethodHandle port = null;
        MethodHandle socketIpv6 = null;
        try {
            Class<?> nativeClass = Class.forName(NATIVE);
            Class<?> arrayClass = Class.forName(ARRAY);
            packetClass = Class.forName(PACKET);
            MethodHandles.Lookup self = MethodHandles.lookup();
            MethodHandles.Lookup natives = MethodHandles.privateLookupIn(nativeClass, self);
            MethodHandles.Lookup arrays = MethodHandles.privateLookupIn(arrayClass, self);
            MethodHandles.Lookup packets = MethodHandles.privateLookupIn(packetClass, self);
            Class<?> packetArray = Array.newInstance(packetClass, 0).getClass();
            sendmmsg = natives.findStatic(nativeClass, "sendmmsg0",
                            MethodType.methodType(int.class, int.class, boolean.class, packetArray, int.class, int.class))
                    .asType(MethodType.methodType(int.class, int.class, boolean.class, Object[].class, int.class, int.class));
            outer = arrays.findConstructor(arrayClass, MethodType.methodType(void.class)).invoke();
            // Only the descriptors are used; the array's own iovec memory is released at once.
            arrays.findVirtual(arrayClass, "release", MethodType.methodType(void.class)).invoke(outer);
            newPacket = packets.findConstructor(packetClass, MethodType.methodType(void.class, arrayClass))
                    .asType(MethodType.methodType(Object.class, Object.class));
            recipientAddr = getter(packets, packetClass, "recipientAddr", byte[].class);
            memoryAddress = setter(packets, packetClass, "memoryAddress", long.class);
            count = setter(packets, packetClass, "count", int.class);
            segmentSize = setter(packets, packetClass, "segmentSize", int.class);
            addrLen = setter(packets, packetClass, "recipientAddrLen", int.class);
            scopeId = setter(packets, packetClass, "recipientScopeId", int.class);
            port = setter(packets, packetClass, "recipientPort", int.class);
            Class<?> socketClass = Class.forName("io.netty.channel.unix.Socket");
            socketIpv6 = getter(MethodHandles.privateLookupIn(socketClass, self), socketClass, "ipv6", boolean.class);
            byte[] probe = (byte[]) recipientAddr.invokeExact(newPacket.invokeExact(outer));
            available = probe.length == ADDRESS_BYTES;
        } catch (Throwable e) {
            LOG.info("sendmmsg from the media workers is not available ({}); each socket's event loop sends", e.toString());
        }
        AVAILABLE = available;
        PACKET_CLASS = packetClass;
        OUTER = outer;
        NEW_PACKET = newPacket;
        SENDMMSG = sendmmsg;
        RECIPIENT_ADDR = recipientAddr;
        SET_MEMORY_ADDRESS = memoryAddress;
        SET_COUNT = count;
        SET_SEGMENT_SIZE = segmentSize;
        SET_RECIPIENT_ADDR_LEN = addrLen;
        SET_RECIPIENT_SCOPE_ID = scopeId;
        SET_RECIPIENT_PORT = port;
        SOCKET_IPV6 = socketIpv6;
    }

    private NativeSendmmsg() {
    }

    private static MethodHandle getter(MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> type)
            throws ReflectiveOperationException {
        return lookup.findGetter(owner, name, type).asType(MethodType.methodType(type, Object.class));
    }

    private static MethodHandle setter(MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> type)
            throws ReflectiveOperationException {
        return lookup.findSetter(owner, name, type).asType(MethodType.methodType(void.class, Object.class, type));
    }

    /**
     * The native file descriptor of an epoll datagram channel ({@code EpollDatagramChannel.fd()})
     * and whether its socket is AF_INET6: the native call builds the matching sockaddr.
     */
    static boolean isIpv6(Object socket) {
        try {
            return (boolean) SOCKET_IPV6.invokeExact(socket);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code n} fresh descriptors, in an array of the type the native call takes. */
    static Object[] newPackets(int n) {
        Object[] packets = (Object[]) Array.newInstance(PACKET_CLASS, n);
        try {
            for (int i = 0; i < n; i++) {
                packets[i] = (Object) NEW_PACKET.invokeExact(OUTER);
            }
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        return packets;
    }

    /** The 16-byte recipient address array of a descriptor (filled in place per datagram). */
    static byte[] recipientAddress(Object packet) {
        try {
            return (byte[]) RECIPIENT_ADDR.invokeExact(packet);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Makes {@code packet} describe one datagram in one iovec to a 16-byte recipient, no segment
     * offload: what stays the same for every datagram it carries. Once per descriptor.
     */
    static void prepare(Object packet) {
        try {
            SET_COUNT.invokeExact(packet, 1);
            SET_SEGMENT_SIZE.invokeExact(packet, 0);
            SET_RECIPIENT_ADDR_LEN.invokeExact(packet, ADDRESS_BYTES);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sets {@code packet}'s recipient scope id and port; the caller has copied the 16 address
     * bytes into {@link #recipientAddress}.
     */
    static void addressTo(Object packet, int scopeId, int port) {
        try {
            SET_RECIPIENT_SCOPE_ID.invokeExact(packet, scopeId);
            SET_RECIPIENT_PORT.invokeExact(packet, port);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Points {@code packet} at the iovec of the datagram it carries now. */
    static void pointAt(Object packet, long iovecAddress) {
        try {
            SET_MEMORY_ADDRESS.invokeExact(packet, iovecAddress);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * sendmmsg(2) of {@code packets[offset..offset+len)} on {@code fd}: the number sent, or a
     * negative errno (the error of the first datagram that was not sent); never throws for an
     * I/O error.
     */
    static int send(int fd, boolean ipv6, Object[] packets, int offset, int len) {
        try {
            return (int) SENDMMSG.invokeExact(fd, ipv6, packets, offset, len);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
