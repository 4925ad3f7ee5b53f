package dev.homeport.protocol.transport;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;

/**
 * Works around a Netty 4.2.18 epoll bug that truncates streams. When a socket wants no events
 * (its peer half-closed, no read asked for, nothing left to write) Netty removes it from the epoll
 * set but remembers it as added, so the next write that has to wait asks epoll to modify an entry
 * that is gone (ENOENT); Netty then shuts the output down and the far side sees a clean but early
 * end of stream. This handler asks for EPOLLERR instead of nothing, which epoll reports regardless,
 * so the socket stays in the set and nothing else changes. Remove it with a Netty that fixes this.
 */
final class EpollInterestGuard implements IoHandler {
    private final IoHandler epoll;

    private EpollInterestGuard(IoHandler epoll) {
        this.epoll = epoll;
    }

    static IoHandlerFactory wrap(IoHandlerFactory epoll) {
        return executor -> new EpollInterestGuard(epoll.newHandler(executor));
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        IoRegistration registration = epoll.register(handle);
        return new IoRegistration() {
            @Override
            public long submit(IoOps ops) {
                boolean none = ops instanceof EpollIoOps e && e.value() == EpollIoOps.NONE.value();
                return registration.submit(none ? EpollIoOps.EPOLLERR : ops);
            }

            @Override
            public <T> T attachment() {
                return registration.attachment();
            }

            @Override
            public boolean isValid() {
                return registration.isValid();
            }

            @Override
            public boolean cancel() {
                return registration.cancel();
            }
        };
    }

    @Override
    public void initialize() {
        epoll.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        return epoll.run(context);
    }

    @Override
    public void prepareToDestroy() {
        epoll.prepareToDestroy();
    }

    @Override
    public void destroy() {
        epoll.destroy();
    }

    @Override
    public void wakeup() {
        epoll.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return epoll.isCompatible(handleType);
    }
}
