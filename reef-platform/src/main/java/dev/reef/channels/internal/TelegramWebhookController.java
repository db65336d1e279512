package dev.reef.channels.internal;

import dev.reef.common.InvalidRequestException;
import dev.reef.common.NotFoundException;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Where Telegram delivers a connected bot's updates ({@code POST /hooks/telegram/<hook id>}). Telegram proves it
 * is Telegram with the secret Reef gave it when setting the webhook; the update is kept before the 200, so a 200
 * means it is Reef's to deliver (anything else and Telegram tries again later).
 */
@RestController
@Hidden
class TelegramWebhookController {

  static final String SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";

  private final ChannelInbox inbox;

  TelegramWebhookController(ChannelInbox inbox) {
    this.inbox = inbox;
  }

  @PostMapping(ChannelService.WEBHOOK_PATH + "{hookId}")
  ResponseEntity<Void> receive(@PathVariable String hookId,
      @RequestHeader(value = SECRET_HEADER, required = false) String secret, HttpServletRequest request)
      throws IOException {
    UUID id;
    try {
      id = UUID.fromString(hookId);
    } catch (IllegalArgumentException e) {
      throw new NotFoundException("webhook", hookId);
    }
    // read no more than an update may be: the endpoint is public
    byte[] body = request.getInputStream().readNBytes(ChannelInbox.MAX_UPDATE_BYTES + 1);
    return switch (inbox.receiveTelegram(id, secret, body)) {
      case ChannelInbox.Received.Kept kept -> ResponseEntity.ok().build();
      case ChannelInbox.Received.UnknownHook unknown -> throw new NotFoundException("webhook", hookId);
      case ChannelInbox.Received.WrongSecret wrong -> throw new ProblemException(ProblemType.UNAUTHENTICATED,
          "The " + SECRET_HEADER + " header does not match this webhook's secret.");
      case ChannelInbox.Received.Invalid invalid -> throw new InvalidRequestException("body", invalid.why());
    };
  }
}
