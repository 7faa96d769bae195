/** Tests run quiet: only errors reach stderr unless RFBCAST_LOG_LEVEL says otherwise. */
process.env.RFBCAST_LOG_LEVEL ??= 'error';
